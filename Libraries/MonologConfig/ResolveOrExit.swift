import ArgumentParser
import Foundation

/// Resolves the shared options for a process's entry point; a bad value prints the setting at fault
/// and exits with status 2, before anything starts.
public func resolveOrExit(_ options: CommonOptions) throws -> MonologConfiguration {
    do {
        return try options.resolve()
    } catch {
        var standardError = StandardErrorStream()
        print("error: \(error)", to: &standardError)
        throw ExitCode(2)
    }
}

struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
