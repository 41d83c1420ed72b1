import Foundation
import MonologWriterProtocol
import NIOCore
import Testing

@testable import StorageWriter

/// The writer's command table: one entry per frame type, each documented, and nothing else decoded.
@Suite struct StorageCommandsTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// docs/WRITER-PROTOCOL.md lists every request with its frame type, and its answer with `kind | 0x80`.
    @Test func everyCommandIsInTheProtocolDocument() throws {
        let document = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/WRITER-PROTOCOL.md"), encoding: .utf8)
        let commands: [any WriterCommand.Type] = [Hello.self, Subscribe.self] + StorageCommands.all
        for command in commands {
            let request = "| \(Self.hex(command.kind)) | \(command) |"
            let reply = "| \(Self.hex(command.replyKind)) | \(command) |"
            #expect(document.contains(request), "docs/WRITER-PROTOCOL.md has no row \(request)")
            #expect(document.contains(reply), "docs/WRITER-PROTOCOL.md has no row \(reply)")
        }
    }

    /// Every request of the protocol is applied by the writer, but the connection's own two.
    @Test func theProtocolsListOfCommandsIsTheWriters() {
        var writer: Set<UInt8> = [Hello.kind, Subscribe.kind]
        for command in StorageCommands.all { writer.insert(command.kind) }
        var listed: Set<UInt8> = []
        for command in WriterCommands.all { listed.insert(command.kind) }
        #expect(listed == writer)
        #expect(WriterCommands.all.count == writer.count)
    }

    @Test func anUnknownRequestTypeIsAProtocolError() {
        var body = ByteBuffer()
        #expect(throws: WriterProtocolError.self) { try StorageCommands.decode(kind: 0x77, body: &body) }
        #expect(throws: WriterProtocolError.self) { try StorageCommands.decode(kind: 0xF0, body: &body) }
        // Hello and Subscribe are the connection's, not storage commands.
        #expect(throws: WriterProtocolError.self) { try StorageCommands.decode(kind: Hello.kind, body: &body) }
    }

    @Test func aCommandDecodesToItsOwnType() throws {
        var frame = ByteBuffer()
        let sent = DeleteRecords(topic: "t", partition: 3, beforeOffset: 9)
        WriterFrame.write(sent, kind: DeleteRecords.kind, requestID: 5, into: &frame)
        frame.moveReaderIndex(forwardBy: 4)
        let header = try WriterFrame.readHeader(&frame)
        let decoded = try StorageCommands.decode(kind: header.kind, body: &frame)
        #expect(decoded as? DeleteRecords == sent)
    }

    static func hex(_ kind: UInt8) -> String {
        let digits = String(kind, radix: 16, uppercase: true)
        return "0x" + (digits.count == 1 ? "0" + digits : digits)
    }
}
