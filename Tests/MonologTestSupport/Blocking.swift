import Foundation

/// Runs blocking work (libcurl, waitpid, polling) on its own thread, so that many end-to-end tests in
/// parallel never starve Swift's small cooperative thread pool (2 threads on a 2-core machine).
public func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// Polls `condition` until it holds or `timeout` passes.
public func eventually(
    timeout: Duration = .seconds(20),
    every interval: Duration = .milliseconds(50),
    _ condition: @escaping @Sendable () -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await blocking(condition) { return true }
        try await Task.sleep(for: interval)
    }
    return false
}
