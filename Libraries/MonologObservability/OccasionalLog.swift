import Synchronization

/// A log line for something that can happen many times a second (a connection refused at a limit):
/// written at most once per interval, with how many times it happened since the previous line, so a
/// flood of hostile connections cannot flood the log too.
public final class OccasionalLog: Sendable {
    private struct State {
        var lastWritten: ContinuousClock.Instant?
        var unreported = 0
    }

    private let interval: Duration
    private let state = Mutex(State())

    public init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// Counts one occurrence; calls `write` with the count when a line is due (outside the lock).
    public func record(_ write: (_ occurrences: Int) -> Void) {
        let now = ContinuousClock.now
        let due: Int? = self.state.withLock { state in
            state.unreported += 1
            if let last = state.lastWritten, now - last < self.interval { return nil }
            state.lastWritten = now
            defer { state.unreported = 0 }
            return state.unreported
        }
        if let due { write(due) }
    }
}
