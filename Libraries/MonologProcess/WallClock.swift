#if canImport(Glibc)
    import Glibc
#endif

/// Milliseconds since the Unix epoch, as Kafka timestamps count them.
public func wallClockMs() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
