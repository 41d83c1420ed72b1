import NIOCore

/// Makes the flushes of one event-loop tick into one write. The first flush is deferred to a task that
/// runs once the loop has handled everything it read in this tick; later flushes in the same tick are
/// covered by it. So a commit's answers, or the requests that several producers send in reply to them,
/// leave in one `writev` and wake the other side once, instead of once per message.
///
/// Put it nearest the head of the pipeline, so it sees every flush.
public final class FlushCoalescingHandler: ChannelOutboundHandler {
    public typealias OutboundIn = ByteBuffer

    private var flushQueued = false

    public init() {}

    public func flush(context: ChannelHandlerContext) {
        guard !self.flushQueued else { return }
        self.flushQueued = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let (handler, context) = bound.value
            handler.flushQueued = false
            context.flush()
        }
    }
}

@available(*, unavailable)
extension FlushCoalescingHandler: Sendable {}
