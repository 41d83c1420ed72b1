import Foundation
import MonologProcess
import MonologRecords
import MonologWriterProtocol
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// A lean load generator for the writer: N closed-loop clients (each sends one append, waits for its
/// acknowledgement, then sends the next) driven by one thread with blocking sockets and poll(2).
///
/// It exists so that the figure measures the writer, not the client: the NIO client costs more
/// per message than the writer's own work, and on two vCPUs the two compete. The clients share
/// `connections` sockets: one, as the producers behind a gateway share its connection to the writer,
/// or one each.
enum PollingAppendClients {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(socketPath: String, clients: Int, connections: Int, partitions: Int32, duration: Duration) throws -> ScenarioResult {
        let sockets = try (0..<connections).map { _ in try Self.connect(socketPath) }
        defer { for socket in sockets { close(socket) } }

        let batch = RecordBatchBuilder.build([NewRecord(key: nil, value: [UInt8](repeating: 0x42, count: 512), timestamp: 1)])
        var sentAt = [ContinuousClock.Instant](repeating: .now, count: clients)
        var latencies: [Double] = []
        latencies.reserveCapacity(1 << 20)
        var outgoing = [ByteBuffer](repeating: ByteBuffer(), count: connections)
        var incoming = [ByteBuffer](repeating: ByteBuffer(), count: connections)
        var outstanding = 0

        // The request id is the client's number, so an answer says whose next message to send.
        func send(client: Int) {
            let request = AppendRecords(topic: "bench", partition: Int32(client) % partitions, batches: batch)
            WriterFrame.write(request, kind: AppendRecords.kind, requestID: UInt64(client + 1), into: &outgoing[client % connections])
            sentAt[client] = .now
            outstanding += 1
        }

        let started = ContinuousClock.now
        let deadline = started + duration
        for client in 0..<clients { send(client: client) }
        var pollSet = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var readBuffer = [UInt8](repeating: 0, count: 256 * 1024)
        while outstanding > 0 {
            for connection in 0..<connections where outgoing[connection].readableBytes > 0 {
                try Self.writeAll(sockets[connection], &outgoing[connection])
            }
            guard poll(&pollSet, nfds_t(pollSet.count), 10_000) > 0 else { throw Failure(description: "no answer from the writer in 10 s") }
            let now = ContinuousClock.now
            for connection in 0..<connections where pollSet[connection].revents != 0 {
                let count = readBuffer.withUnsafeMutableBytes { read(sockets[connection], $0.baseAddress, $0.count) }
                guard count > 0 else { throw Failure(description: "the writer closed the connection") }
                readBuffer.withUnsafeBytes { incoming[connection].writeBytes(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                while let length = incoming[connection].getInteger(at: incoming[connection].readerIndex, as: UInt32.self),
                    incoming[connection].readableBytes >= 4 + Int(length)
                {
                    incoming[connection].moveReaderIndex(forwardBy: 4)
                    var frame = incoming[connection].readSlice(length: Int(length))!
                    let answer = try WriterFrame.readHeader(&frame)
                    guard answer.kind == AppendRecords.replyKind else {
                        throw Failure(description: "append refused: \(try WriterFrame.readBody(WriterError.self, from: &frame))")
                    }
                    let client = Int(answer.requestID) - 1
                    outstanding -= 1
                    latencies.append((now - sentAt[client]).inSeconds * 1000)
                    if now < deadline { send(client: client) }
                }
                incoming[connection].discardReadBytes()
            }
        }
        return ScenarioResult(messagesPerSecond: Double(latencies.count) / (ContinuousClock.now - started).inSeconds, latenciesMs: latencies)
    }

    /// A blocking connection that has completed the writer's hello handshake.
    private static func connect(_ path: String) throws -> Int32 {
        guard let fd = UnixDomainSocket.connect(path) else { throw Failure(description: "cannot connect to \(path): errno \(errno)") }
        var hello = ByteBuffer()
        WriterFrame.write(Hello(clientName: "bench"), kind: Hello.kind, requestID: 0, into: &hello)
        try Self.writeAll(fd, &hello)
        var answer = [UInt8](repeating: 0, count: 64)
        guard answer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 4 else {
            throw Failure(description: "no hello from the writer")
        }
        return fd
    }

    private static func writeAll(_ fd: Int32, _ buffer: inout ByteBuffer) throws {
        while buffer.readableBytes > 0 {
            let written = buffer.withUnsafeReadableBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw Failure(description: "write to the writer failed: errno \(errno)") }
            buffer.moveReaderIndex(forwardBy: written)
        }
        buffer.clear()
    }
}
