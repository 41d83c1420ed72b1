import Foundation
import Hummingbird

/// The console at `/`: a page of plain HTML, CSS and JavaScript over the JSON API. The files ship as
/// the target's resources and are read once at start-up, so a missing file fails the start, not a request.
struct ConsoleRoutes {
    struct Asset {
        var bytes: ByteBuffer
        var contentType: String
    }

    let assets: [String: Asset]

    /// The served path of each asset, the file it comes from, and its type.
    private static let files: [(path: String, file: String, contentType: String)] = [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/console/console.css", "console.css", "text/css; charset=utf-8"),
        ("/console/console.js", "console.js", "text/javascript; charset=utf-8"),
    ]

    init() throws {
        guard let folder = Bundle.module.url(forResource: "Assets", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the console's Assets folder is missing"])
        }
        var assets: [String: Asset] = [:]
        for entry in Self.files {
            let data = try Data(contentsOf: folder.appendingPathComponent(entry.file))
            assets[entry.path] = Asset(bytes: ByteBuffer(bytes: data), contentType: entry.contentType)
        }
        self.assets = assets
    }

    func register(on router: Router<some RequestContext>) {
        for (path, asset) in self.assets {
            router.get(RouterPath(path)) { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
                    body: .init(byteBuffer: asset.bytes)
                )
            }
        }
    }
}
