import MonologWriterProtocol
import NIOCore

/// Every command the writer applies to storage, found by frame type: the protocol's commands
/// (`WriterCommands.all`) but `Hello` and `Subscribe`, which are the connection's own business
/// (WriterConnectionHandler answers them). A command without a `StorageCommand` conformance would be
/// missing here; a test checks that none is.
enum StorageCommands {
    static let all: [any StorageCommand.Type] = WriterCommands.all.compactMap { $0 as? any StorageCommand.Type }

    /// Indexed by frame type (requests are below 0x80).
    private static let byKind: [(any StorageCommand.Type)?] = {
        var table = [(any StorageCommand.Type)?](repeating: nil, count: 0x80)
        for command in all {
            precondition(table[Int(command.kind)] == nil, "two commands with frame type \(command.kind)")
            table[Int(command.kind)] = command
        }
        return table
    }()

    /// Decodes a request's body; an unknown type or a malformed body is a protocol error.
    static func decode(kind: UInt8, body: inout ByteBuffer) throws(WriterProtocolError) -> any StorageCommand {
        guard Int(kind) < Self.byKind.count, let command = Self.byKind[Int(kind)] else {
            throw WriterProtocolError("unknown request type \(kind)")
        }
        return try WriterFrame.readBody(command, from: &body)
    }
}
