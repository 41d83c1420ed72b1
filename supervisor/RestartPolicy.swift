/// When to restart a child that exited, as OTP supervisors decide it: restart one-for-one, but give up
/// when a child needs more than `maxRestarts` restarts within `window` (restart intensity).
///
/// A pure state machine: events in, decisions out, no processes or clocks of its own, so it is tested
/// with plain values.
struct RestartPolicy: Sendable {
    enum Decision: Equatable, Sendable {
        /// Start the child again after this delay.
        case restart(after: Duration)
        /// Too many restarts in the window: stop the whole tree.
        case giveUp(restarts: Int, within: Duration)
    }

    let maxRestarts: Int
    let window: Duration
    /// A child that ran shorter than this died "at once" and waits `slowRestartDelay`, as runit waits a
    /// second before restarting a service that keeps dying, so a crash loop does not spin the CPU.
    let minimumHealthyUptime: Duration
    let fastRestartDelay: Duration
    let slowRestartDelay: Duration

    private var recentRestarts: [ContinuousClock.Instant] = []

    init(
        maxRestarts: Int,
        window: Duration,
        minimumHealthyUptime: Duration = .seconds(1),
        fastRestartDelay: Duration = .milliseconds(100),
        slowRestartDelay: Duration = .seconds(1)
    ) {
        self.maxRestarts = maxRestarts
        self.window = window
        self.minimumHealthyUptime = minimumHealthyUptime
        self.fastRestartDelay = fastRestartDelay
        self.slowRestartDelay = slowRestartDelay
    }

    /// The child exited at `now` after running for `uptime`.
    mutating func childExited(at now: ContinuousClock.Instant, uptime: Duration) -> Decision {
        self.recentRestarts.removeAll { now - $0 > self.window }
        guard self.recentRestarts.count < self.maxRestarts else {
            return .giveUp(restarts: self.recentRestarts.count, within: self.window)
        }
        self.recentRestarts.append(now)
        return .restart(after: uptime < self.minimumHealthyUptime ? self.slowRestartDelay : self.fastRestartDelay)
    }
}
