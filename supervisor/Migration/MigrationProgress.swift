import Foundation

/// What a migration prints as it goes: on a terminal one line rewritten in place, otherwise a line
/// when something was copied or committed (and every ten seconds while following).
final class MigrationProgress {
    private let follow: Bool
    private let onTerminal = isatty(STDOUT_FILENO) == 1
    private var lastLine = ContinuousClock.now - .seconds(60)
    private var lastCopied = -1

    init(follow: Bool) {
        self.follow = follow
    }

    func report(copied: Int, lag: Int64, groups: GroupOffsetSync.Report, final: Bool) {
        for refusal in groups.refused { self.problem("the target refused a group offset: \(refusal)") }
        let waiting = groups.waiting > 0 ? ", \(groups.waiting) group positions waiting for the copy" : ""
        let line = "copied \(copied) records, lag \(lag) offsets, \(groups.committed) group positions committed\(waiting)"
        if final {
            self.emit(line.replacingOccurrences(of: "copied", with: self.follow ? "stopped: copied" : "done: copied"), final: true)
            return
        }
        let due = ContinuousClock.now - self.lastLine >= .seconds(10)
        guard self.onTerminal || copied != self.lastCopied || groups.committed > 0 || due else { return }
        self.lastCopied = copied
        self.emit(line, final: false)
    }

    /// Something the user should know that does not stop the migration.
    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("migrate: warning: \(message)\n".utf8))
    }

    func problem(_ message: String) {
        if self.onTerminal { Self.say("") }
        FileHandle.standardError.write(Data("migrate: \(message)\n".utf8))
    }

    private func emit(_ line: String, final: Bool) {
        self.lastLine = .now
        if self.onTerminal {
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line + (final ? "\n" : "")).utf8))
        } else {
            Self.say(line)
        }
    }

    /// Writes a line to standard output at once (print buffers it when the output is not a terminal,
    /// and a log would then show it late or, after a kill, never).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
