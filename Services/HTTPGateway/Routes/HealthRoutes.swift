import Foundation
import Hummingbird
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
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { return false }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var frame = ByteBuffer()
        WriterEnvelope(requestID: 1, message: WriterRequest.hello(version: WriterProtocol.version, clientName: "http-gateway-readyz"))
            .encode(into: &frame)
        let request = Array(frame.readableBytesView)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return false }
        var answer = [UInt8](repeating: 0, count: 4)
        return answer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_WAITALL)) } == 4
    }
}
