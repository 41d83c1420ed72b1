import NIOCore

/// ApiVersions (key 18), versions 0–4. A client asks first, before anything else, to learn what the
/// broker supports. Versions 3+ are flexible (compact arrays, tagged fields), but the response header is
/// always v0 — clients must be able to read it before they know which versions the broker speaks.
enum ApiVersionsAPI {
    static let apiKey: Int16 = 18
    static let maxVersion: Int16 = 4

    /// The response body (without the response header) for a request at `version`. A version above the
    /// supported range is answered in the v0 layout with UNSUPPORTED_VERSION and the supported ranges,
    /// so the client can retry with a version both sides know (KIP-511).
    static func responseBody(version: Int16, allocator: ByteBufferAllocator) -> ByteBuffer {
        var body = allocator.buffer(capacity: 16 + SupportedAPIs.all.count * 8)
        let apis = SupportedAPIs.all
        guard version >= 0, version <= maxVersion else {
            body.writeInteger(KafkaErrorCode.unsupportedVersion)
            writeV0Array(apis, to: &body)
            return body
        }
        body.writeInteger(KafkaErrorCode.none)
        if version >= 3 {
            writeUnsignedVarint(UInt32(apis.count + 1), to: &body)  // compact array: length + 1
            for api in apis {
                body.writeInteger(api.apiKey)
                body.writeInteger(api.minVersion)
                body.writeInteger(api.maxVersion)
                writeUnsignedVarint(0, to: &body)  // no tagged fields on the entry
            }
            body.writeInteger(Int32(0))  // throttle_time_ms
            writeUnsignedVarint(0, to: &body)  // no tagged fields (supported features: none)
        } else {
            writeV0Array(apis, to: &body)
            if version >= 1 { body.writeInteger(Int32(0)) }  // throttle_time_ms
        }
        return body
    }

    private static func writeV0Array(_ apis: [SupportedAPIs.Entry], to body: inout ByteBuffer) {
        body.writeInteger(Int32(apis.count))
        for api in apis {
            body.writeInteger(api.apiKey)
            body.writeInteger(api.minVersion)
            body.writeInteger(api.maxVersion)
        }
    }

    private static func writeUnsignedVarint(_ value: UInt32, to buffer: inout ByteBuffer) {
        var rest = value
        while rest >= 0x80 {
            buffer.writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        buffer.writeInteger(UInt8(rest))
    }
}
