import Foundation
import Hummingbird
import MonologProcess
import MonologStorage
import MonologWriterProtocol
import NIOCore
import NIOPosix

/// `/healthz`: the process answers. `/readyz`: it can do its work: the storage writer answers a
/// handshake on its socket within a second, and the database reads. Each answers 200, or 503 naming
/// what is wrong.
struct HealthRoutes {
    let reads: StorageReads
    let writerSocketPath: String

    struct Health: Encodable {
        var status: String
        var writer: String?
        var database: String?
    }

    func register(on router: Router<some RequestContext>) {
        router.get("/healthz") { _, _ in try JSONResponse.make(Health(status: "ok")) }
        router.get("/readyz") { _, _ in try await self.readiness() }
    }

    func readiness() async throws -> Response {
        let path = self.writerSocketPath
        let writer = try await self.reads.threads.runIfActive { WriterSocket.answersHandshake(path) } ? "ok" : "not answering at \(path)"
        let database: String
        do {
            _ = try await self.reads.run { try $0.clusterID() }
            database = "ok"
        } catch {
            database = "unreadable: \(error)"
        }
        let ready = writer == "ok" && database == "ok"
        var response = try JSONResponse.make(Health(status: ready ? "ok" : "not ready", writer: writer, database: database))
        if !ready { response.status = .serviceUnavailable }
        return response
    }
}

/// Whether the storage writer answers a protocol handshake on its socket within a second.
enum WriterSocket {
    static func answersHandshake(_ path: String) -> Bool {
        guard let fd = UnixSocket.connect(path, receiveTimeoutSeconds: 1) else { return false }
        defer { close(fd) }
        var frame = ByteBuffer()
        WriterFrame.write(Hello(clientName: "http-gateway-readyz"), kind: Hello.kind, requestID: 1, into: &frame)
        let request = Array(frame.readableBytesView)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return false }
        var answer = [UInt8](repeating: 0, count: 4)
        return answer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_WAITALL)) } == 4
    }
}
