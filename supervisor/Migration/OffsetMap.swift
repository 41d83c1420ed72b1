/// Where each copied record of one partition went: runs of consecutive source offsets that landed on
/// consecutive target offsets. Offsets differ between the two logs (the source's log start may be above
/// 0, compaction leaves gaps, transaction markers and aborted records take source offsets but are not
/// copied), so a consumer group's position is translated through this map, as MirrorMaker 2 does with
/// its offset syncs.
struct OffsetMap: Equatable, Sendable {
    struct Run: Equatable, Sendable {
        var sourceFirst: Int64
        var targetFirst: Int64
        var count: Int64
        var sourceEnd: Int64 { self.sourceFirst + self.count }
        var targetEnd: Int64 { self.targetFirst + self.count }
    }

    /// In source (and target) order.
    private(set) var runs: [Run] = []
    /// The source offset the copy continues from: every committed record below it is on the target.
    private(set) var sourceNext: Int64
    /// The target offset the next copied record gets.
    private(set) var targetNext: Int64

    init(sourceNext: Int64 = 0, targetNext: Int64 = 0) {
        self.sourceNext = sourceNext
        self.targetNext = targetNext
    }

    /// The runs that records at `sourceOffsets` (ascending) written from `targetFirst` on make.
    static func runs(sourceOffsets: [Int64], targetFirst: Int64) -> [Run] {
        var runs: [Run] = []
        for (index, offset) in sourceOffsets.enumerated() {
            let target = targetFirst + Int64(index)
            if let last = runs.last, last.sourceEnd == offset, last.targetEnd == target {
                runs[runs.count - 1].count += 1
            } else {
                runs.append(Run(sourceFirst: offset, targetFirst: target, count: 1))
            }
        }
        return runs
    }

    /// Records that `runs` (after every run already here) were copied, and that the copy continues
    /// from `sourceNext`.
    mutating func append(_ runs: [Run], sourceNext: Int64) {
        for run in runs {
            if let last = self.runs.last, last.sourceEnd == run.sourceFirst, last.targetEnd == run.targetFirst {
                self.runs[self.runs.count - 1].count += run.count
            } else {
                self.runs.append(run)
            }
            self.targetNext = max(self.targetNext, run.targetEnd)
        }
        self.sourceNext = max(self.sourceNext, sourceNext)
    }

    /// The target position for a consumer whose next source offset is `committed`: the target offset
    /// of the first copied record at or after it, or the target's end when every copied record lies
    /// before it. Nil while the copy has not reached `committed` yet (translating it then would make the
    /// consumer read again on the target what it has already read on the source).
    func translate(_ committed: Int64) -> Int64? {
        guard committed <= self.sourceNext else { return nil }
        // The first run that holds a record at or after `committed` (runs are sorted by source offset).
        var low = 0
        var high = self.runs.count
        while low < high {
            let middle = (low + high) / 2
            if self.runs[middle].sourceEnd <= committed { low = middle + 1 } else { high = middle }
        }
        guard low < self.runs.count else { return self.targetNext }
        let run = self.runs[low]
        return run.targetFirst + max(0, committed - run.sourceFirst)
    }
}
