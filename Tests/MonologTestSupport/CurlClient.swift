import CCurl
import Foundation

/// A small blocking HTTP client over libcurl's easy API, for end-to-end tests of the HTTP gateway.
public struct HTTPResult: Sendable {
    public var status: Int
    public var body: String
    /// The response's Content-Type, if it had one.
    public var contentType: String? = nil

    /// The body parsed as a JSON object (empty when it is not one).
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(self.body.utf8))) as? [String: Any] ?? [:]
    }

    /// `error.code` of a JSON error body.
    public var errorCode: String? { (self.json["error"] as? [String: Any])?["code"] as? String }
}

public enum Curl {
    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    /// Sends one request. `pathAsIs` keeps `..` segments (curl would otherwise resolve them).
    public static func request(
        _ method: String,
        _ url: String,
        body: String? = nil,
        pathAsIs: Bool = false,
        headers extraHeaders: [String] = [],
        caFile: String? = nil,
        timeoutSeconds: Int = 30
    ) throws -> HTTPResult {
        _ = globalInit
        guard let handle = curl_easy_init() else { throw CurlError(message: "curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        let sink = ResponseSink()
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headers) }

        ml_curl_setopt_string(handle, CURLOPT_URL, url)
        ml_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        ml_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds)
        ml_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        if pathAsIs { ml_curl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1) }
        // HTTPS against a test CA: the server's certificate must chain to it and name the host.
        if let caFile { ml_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        for header in extraHeaders { headers = curl_slist_append(headers, header) }
        if let body {
            headers = curl_slist_append(headers, "Content-Type: application/json")
            ml_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.utf8.count)
            ml_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, body)
        }
        if headers != nil { ml_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headers) }
        ml_curl_setopt_writefn(handle) { pointer, size, count, context in
            guard let pointer, let context else { return 0 }
            let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
            sink.data.append(UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: size * count)
            return size * count
        }
        ml_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            throw CurlError(message: "\(method) \(url): \(String(cString: curl_easy_strerror(code)))")
        }
        var status = 0
        ml_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var contentType: UnsafeMutablePointer<CChar>?
        ml_curl_getinfo_string(handle, CURLINFO_CONTENT_TYPE, &contentType)
        return HTTPResult(status: status, body: String(decoding: sink.data, as: UTF8.self), contentType: contentType.map { String(cString: $0) })
    }
}

public struct CurlError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { self.message }
}

private final class ResponseSink {
    var data = Data()
}
