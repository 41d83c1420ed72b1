import CFuzzDriver
import Foundation
import MonologHTTPBodies
import MonologRecords

/// HTTP request bodies, as the HTTP gateway reads them: a produce body decoded, its values checked and
/// built into a record batch as the gateway stores it; and a create-topic body.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Data(bytes: data, count: size)
    if let body = try? JSONBody.decode(ProduceBody.self, from: bytes), let values = try? body.values() {
        let records = zip(body.items, values).map { item, value in
            NewRecord(key: item.key.map { Array($0.utf8) }, value: value, headers: item.recordHeaders, timestamp: 0)
        }
        _ = RecordBatchBuilder.build(records, compression: .none, level: nil)
    }
    _ = try? JSONBody.decode(CreateTopicBody.self, from: bytes)
    return 0
}

/// SwiftPM links the executable's `main` to this; libFuzzer's driver takes it from here.
@_cdecl("FuzzHTTPBody_main")
func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
