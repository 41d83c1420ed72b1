import Foundation
import Hummingbird
import MonologStorage
import MonologWriterClient

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
        let writer = await WriterProbe.answersHandshake(socketPath: path, clientName: "http-gateway-readyz") ? "ok" : "not answering at \(path)"
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
