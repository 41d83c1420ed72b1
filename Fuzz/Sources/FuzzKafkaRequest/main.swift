import CFuzzDriver
import MonologKafkaProtocol
import NIOCore

/// A Kafka request frame (without its length prefix), as the gateway reads it: the header, then the
/// body of whichever API and version the header names, for every API in the definitions. Any input
/// must decode or throw a typed error: never crash, hang, or allocate what a length claims.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let frame = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    guard let request = try? KafkaRequestFrame(frame) else { return 0 }
    guard let api = KafkaAPIRegistry.all.first(where: { $0.apiKey == request.apiKey }) else { return 0 }
    decode(api.request, request.body, version: request.apiVersion)
    return 0
}

private func decode<Message: KafkaMessage>(_: Message.Type, _ body: ByteBuffer, version: Int16) {
    var body = body
    guard let message = try? Message(from: &body, version: version) else { return }
    // What decodes must encode again at the same version (the gateway answers with these types).
    var encoded = ByteBuffer()
    _ = try? message.encode(into: &encoded, version: version)
}

/// SwiftPM links the executable's `main` to this; libFuzzer's driver takes it from here.
@_cdecl("FuzzKafkaRequest_main")
func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
