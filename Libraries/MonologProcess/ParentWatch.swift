import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Makes a supervised service stop when its supervisor dies. The supervisor names itself in
/// `MONOLOG_SUPERVISOR_PID`; a service started by hand has no such variable and is left alone.
/// When the parent changes (it died and the process was re-parented), the service sends itself SIGTERM
/// and shuts down gracefully, so a `kill -9` of the supervisor leaves no orphans holding the ports and
/// the data directory, and a new `monolog-supervisor start` can take over.
public enum ParentWatch {
    public static let environmentKey = "MONOLOG_SUPERVISOR_PID"

    /// Starts watching if this process was started by a supervisor; returns whether it was.
    @discardableResult
    public static func start(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        interval: Duration = .milliseconds(250)
    ) -> Bool {
        guard let text = environment[environmentKey], let supervisor = pid_t(text) else { return false }
        let thread = Thread {
            while getppid() == supervisor {
                Thread.sleep(forTimeInterval: interval.inSeconds)
            }
            kill(getpid(), SIGTERM)
        }
        thread.name = "parent-watch"
        thread.start()
        return true
    }
}
