import Foundation

/// Finds processes through /proc: the services a test's supervisor started are the ones whose command
/// line names that test's private data directory.
public enum ProcessTable {
    public static func pids(executable: String, argumentContaining marker: String) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !raw.isEmpty
            else { return nil }
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard let first = arguments.first, (first as NSString).lastPathComponent == executable,
                arguments.contains(where: { $0.contains(marker) }),
                !isZombie(pid)
            else { return nil }
            return pid
        }
    }

    /// A gone process counts as a zombie: either way it serves nothing.
    static func isZombie(_ pid: pid_t) -> Bool {
        (self.state(of: pid) ?? "Z") == "Z"
    }

    /// The process state letter in /proc/<pid>/stat (R, S, T, Z, …), read after the command name,
    /// which may itself hold spaces and parentheses; nil when the process is gone.
    static func state(of pid: pid_t) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            let state = stat.index(close, offsetBy: 2, limitedBy: stat.index(before: stat.endIndex))
        else { return nil }
        return stat[state]
    }
}

/// Stops a process with SIGSTOP and waits until the kernel reports it stopped (state `T` in
/// /proc/<pid>/stat): the signal is delivered asynchronously, and a test that probes at once can still
/// be answered. False if it did not stop within `timeout`.
public func stopProcess(_ pid: pid_t, timeout: Duration = .seconds(15)) async throws -> Bool {
    kill(pid, SIGSTOP)
    return try await eventually(timeout: timeout, every: .milliseconds(5)) { ProcessTable.state(of: pid) == "T" }
}
