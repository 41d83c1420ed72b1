import NIOCore

/// Keeps one connection's appends in the order their Produce requests arrived on their way to the
/// storage writer.
///
/// A Produce request is prepared before its batches are handed over (its topic's policy may have to be
/// read, its batches recompressed), on the thread pool, where a later request can finish first. An
/// idempotent producer pipelines up to five requests for one partition, and the writer refuses a batch
/// whose sequence number skips one not yet stored, with OUT_OF_ORDER_SEQUENCE_NUMBER; when the skipped
/// batch is the first one the producer is waiting for, librdkafka treats that as fatal. So each request
/// is prepared at once, but hands its batches over only after the request before it has.
///
/// Lives on the connection's event loop.
struct AppendOrder {
    /// One request's place: hand over after `previous` completes, then complete `handedOver`.
    struct Turn {
        let previous: EventLoopFuture<Void>
        let handedOver: EventLoopPromise<Void>
    }

    private var last: EventLoopFuture<Void>?

    /// The next request's turn, after every request that took one before it.
    mutating func takeTurn(on eventLoop: any EventLoop) -> Turn {
        let handedOver = eventLoop.makePromise(of: Void.self)
        let previous = self.last ?? eventLoop.makeSucceededVoidFuture()
        self.last = handedOver.futureResult
        return Turn(previous: previous, handedOver: handedOver)
    }
}
