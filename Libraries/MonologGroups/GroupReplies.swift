import NIOCore

/// Answers decided while the coordinator's lock is held, delivered after it is released: completing a
/// promise can run its callbacks on this very thread, and those may call the coordinator again.
struct GroupReplies {
    private var joins: [(EventLoopPromise<JoinOutcome>, JoinOutcome)] = []
    private var syncs: [(EventLoopPromise<SyncOutcome>, SyncOutcome)] = []

    mutating func answer(_ promise: EventLoopPromise<JoinOutcome>?, _ outcome: JoinOutcome) {
        if let promise { self.joins.append((promise, outcome)) }
    }

    mutating func answer(_ promise: EventLoopPromise<SyncOutcome>?, _ outcome: SyncOutcome) {
        if let promise { self.syncs.append((promise, outcome)) }
    }

    func deliver() {
        for (promise, outcome) in self.joins { promise.succeed(outcome) }
        for (promise, outcome) in self.syncs { promise.succeed(outcome) }
    }
}
