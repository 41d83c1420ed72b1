import MonologWriterProtocol
import NIOConcurrencyHelpers
import NIOCore

/// Wakes long-poll reads when the storage writer reports new data. A gateway subscribes to the
/// writer's watermark notifications; a fetch with nothing to return registers here and is woken as
/// soon as any of its partitions moves, or when its max wait runs out.
public final class WatermarkBoard: Sendable {
    private struct Waiter {
        var partitions: Set<TopicPartition>
        var promise: EventLoopPromise<Void>
    }

    private let waiters = NIOLockedValueBox<[ObjectIdentifier: Waiter]>([:])

    /// Completes when one of `partitions` gets new data, or after `maxWait`, whichever is first.
    public init() {}

    public func wait(for partitions: Set<TopicPartition>, maxWait: TimeAmount, on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let key = ObjectIdentifier(promise.futureResult)
        self.waiters.withLockedValue { $0[key] = Waiter(partitions: partitions, promise: promise) }
        let timeout = eventLoop.scheduleTask(in: maxWait) {
            self.waiters.withLockedValue { _ = $0.removeValue(forKey: key) }
            promise.succeed(())
        }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        return promise.futureResult
    }

    /// Takes the storage writer's notifications: moved partitions wake their waiters, and a re-made
    /// subscription wakes everyone to re-read (a commit may have been missed meanwhile).
    public func hear(_ notification: WriterNotification) {
        switch notification {
        case .watermarks(let moved): if !moved.isEmpty { self.update(moved) }
        case .resubscribed: self.update([])
        case .usersChanged: break
        }
    }

    /// Wakes the waiters of the partitions that moved; an empty list wakes everyone to re-read.
    public func update(_ watermarks: [PartitionWatermark]) {
        let moved = Set(watermarks.map { TopicPartition(topic: $0.topic, partition: $0.partition) })
        let woken = self.waiters.withLockedValue { waiters -> [EventLoopPromise<Void>] in
            var woken: [EventLoopPromise<Void>] = []
            for (key, waiter) in waiters where moved.isEmpty || !waiter.partitions.isDisjoint(with: moved) {
                woken.append(waiter.promise)
                waiters.removeValue(forKey: key)
            }
            return woken
        }
        for promise in woken { promise.succeed(()) }
    }
}
