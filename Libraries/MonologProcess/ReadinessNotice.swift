#if canImport(Glibc)
    import Glibc
#endif

/// Tells the supervisor that this service is ready (its socket or port accepts), so the next one may
/// start: the line `READY=1` on standard output, a pipe the supervisor reads (as systemd's notify
/// protocol words it). The supervisor keeps the line out of the log; run by hand, it is harmless.
public enum ReadinessNotice {
    public static let line = "READY=1"

    public static func announce() {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }
}
