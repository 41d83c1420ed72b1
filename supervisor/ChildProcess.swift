import Foundation
import Logging
import MonologProcess
import Subprocess
import SystemPackage

/// Runs one service process to completion with its output prefixed, reporting its pid once spawned.
struct ChildProcess: Sendable {
    let spec: ChildSpec
    let binDirectory: String
    let output: OutputPrefixer

    /// Spawns the child and returns when it has exited. `onReady` runs when the child announces it is
    /// ready (the `READY=1` line, kept out of the log); `onOutputLine` sees every other line it prints.
    func run(
        onSpawn: @escaping @Sendable (pid_t) async -> Void,
        onReady: @escaping @Sendable () async -> Void,
        onOutputLine: @escaping @Sendable (String) async -> Void = { _ in }
    ) async throws -> TerminationStatus {
        let spec = self.spec
        let output = self.output
        let path = spec.executable.hasPrefix("/") ? spec.executable : self.binDirectory + "/" + spec.executable
        let result = try await Subprocess.run(
            .path(FilePath(path)),
            arguments: Arguments(spec.arguments),
            // The child watches this pid and stops if the supervisor dies (MonologProcess.ParentWatch).
            environment: .inherit.updating([Environment.Key(stringLiteral: ParentWatch.environmentKey): "\(getpid())"]),
            input: .none,
            output: .sequence,
            error: .sequence
        ) { execution in
            await onSpawn(execution.processIdentifier.value)
            if spec.readyWhenSpawned { await onReady() }
            // Forward both streams until the child closes them (it exits, or its last fd closes).
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await line in execution.standardOutput.strings() {
                            if line.trimmingCharacters(in: .newlines) == ReadinessNotice.line {
                                await onReady()
                            } else {
                                output.write(line, from: spec.id, toStandardError: false)
                                await onOutputLine(line)
                            }
                        }
                    } catch {}
                }
                group.addTask {
                    do {
                        for try await line in execution.standardError.strings() {
                            output.write(line, from: spec.id, toStandardError: true)
                            await onOutputLine(line)
                        }
                    } catch {}
                }
            }
        }
        return result.terminationStatus
    }
}

/// Where the service executables are: next to this supervisor's own executable.
enum BinaryLocation {
    static func directory() -> String {
        let path =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return (path as NSString).deletingLastPathComponent
    }
}
