/// Holds a migration to at most `perSecond` records a second, over the whole run (`--rate`), so that
/// copying a large backlog leaves the source broker and the target room for their own clients.
final class RatePacer {
    private let perSecond: Int?
    private let started = ContinuousClock.now
    private var released = 0

    init(perSecond: Int?) {
        self.perSecond = perSecond
    }

    /// How many records a batch may hold: a tenth of a second's worth when paced, so the pace is even
    /// rather than a large batch and then a long wait.
    var batchRecords: Int {
        guard let perSecond = self.perSecond, perSecond > 0 else { return 10_000 }
        return max(1, min(10_000, perSecond / 10))
    }

    /// Waits until `count` more records fit in the rate.
    func wait(for count: Int) async {
        defer { self.released += count }
        guard let perSecond = self.perSecond, perSecond > 0 else { return }
        let due = self.started + .milliseconds(self.released * 1_000 / perSecond)
        if due > ContinuousClock.now { try? await Task.sleep(until: due, clock: .continuous) }
    }
}
