import CFuzzDriver
import MonologWriterProtocol
import NIOCore

/// Bytes on the storage writer's socket: frames cut by the writer's frame decoder, each header read and
/// its body read as the request its type names (every command of the protocol), and, since clients
/// read the writer's frames too, as that command's reply.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    var stream = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    var decoder = WriterFrameDecoder(maxFrameBytes: 1 << 20)
    while let frame = try? decoder.decode(buffer: &stream) {
        var frame = frame
        guard let (_, kind) = try? WriterFrame.readHeader(&frame) else { continue }
        if let command = WriterCommands.type(ofKind: kind) {
            read(command, frame)
        } else if kind & 0x80 != 0, let command = WriterCommands.type(ofKind: kind & 0x7F) {
            readReply(command, frame)
        } else if kind == WriterError.kind {
            read(WriterError.self, frame)
        } else if kind == Watermarks.kind {
            read(Watermarks.self, frame)
        }
    }
    return 0
}

private func readReply<Command: WriterCommand>(_: Command.Type, _ body: ByteBuffer) {
    read(Command.Reply.self, body)
}

private func read<Message: WireCodable>(_: Message.Type, _ body: ByteBuffer) {
    var body = body
    _ = try? WriterFrame.readBody(Message.self, from: &body)
}

/// SwiftPM links the executable's `main` to this; libFuzzer's driver takes it from here.
@_cdecl("FuzzWriterProtocol_main")
func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
