import Synchronization

/// Set by the signal handler when SIGINT or SIGTERM arrives; read by a following migration between
/// passes, which then makes its final one.
final class StopRequest: Sendable {
    private let requested = Atomic(false)

    var isRequested: Bool { self.requested.load(ordering: .relaxed) }

    func request() { self.requested.store(true, ordering: .relaxed) }
}
