import NIOCore

/// Keeps one connection's appends in the order their Produce requests arrived on their way to the
/// storage writer.
///
/// A Produce request is prepared before its batches are handed over (its topic's policy may have to be
/// read, its batches recompressed), on the thread pool, where a later request can finish first. An
/// idempotent producer pipelines up to five requests for one partition, and the writer refuses a batch
/// whose sequence number skips one not yet stored, with OUT_OF_ORDER_SEQUENCE_NUMBER; when the skipped
/// batch is the first one the producer is waiting for, librdkafka treats that as fatal. So a request that
/// must wait to be prepared takes a turn, and hands its batches over only after the request before it
/// has. A request prepared at once, while no turn is open, hands over at once without one: nothing
/// before it is still on its way.
///
/// Confined to the connection's event loop, like the handler that owns it.
final class AppendOrder: @unchecked Sendable {
    /// One request's place: hand over after `previous` completes, then complete `handedOver`.
    struct Turn {
        let previous: EventLoopFuture<Void>
        let handedOver: EventLoopPromise<Void>
    }

    private var last: EventLoopFuture<Void>?
    /// Turns taken and not yet handed over.
    private var open = 0

    /// True when no request is waiting for its turn: one ready now may hand over at once.
    var isIdle: Bool { self.open == 0 }

    /// The next request's turn, after every request that took one before it.
    func takeTurn(on eventLoop: any EventLoop) -> Turn {
        let handedOver = eventLoop.makePromise(of: Void.self)
        let previous = self.last ?? eventLoop.makeSucceededVoidFuture()
        self.last = handedOver.futureResult
        self.open += 1
        handedOver.futureResult.whenComplete { _ in
            self.open -= 1
            if self.open == 0 { self.last = nil }
        }
        return Turn(previous: previous, handedOver: handedOver)
    }
}
