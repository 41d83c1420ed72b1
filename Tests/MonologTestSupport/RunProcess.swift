import Foundation

/// What a finished child process printed and how it ended.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}

/// Runs an executable to completion on its own thread (never blocking the cooperative pool), feeding
/// it `input`, and terminates it if it outlives `timeout`. Standard error goes to a temporary file (a
/// pipe the child fills while stdout is read could block it) and is read once it exits.
public func runProcess(
    _ executable: String,
    _ arguments: [String],
    input: String? = nil,
    timeout: TimeInterval = 60
) async throws -> ProcessOutput {
    try await blocking {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        let errorPath = NSTemporaryDirectory() + "monolog-stderr-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let errorFile = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        defer { try? errorFile.close() }
        process.standardError = errorFile
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return ProcessOutput(status: process.terminationStatus, standardOutput: String(decoding: data, as: UTF8.self), standardError: errors)
    }
}
