import Foundation

/// Reads Litestream's log lines (`time=… level=ERROR msg="monitor error" … error="…"`) for what
/// `status` shows of replication: Litestream keeps running when its replica cannot be written (it
/// retries with a growing backoff), so its log is where a failing replica shows first.
enum LitestreamLog {
    enum Event: Equatable {
        /// Something failed; the text says what.
        case problem(String)
        /// Shipping works again after failures.
        case recovered
    }

    static func event(in line: String) -> Event? {
        let fields = self.fields(of: line)
        if fields["msg"] == "replica sync recovered" { return .recovered }
        guard fields["level"] == "ERROR" else { return nil }
        let message = fields["msg"] ?? "error"
        return .problem(fields["error"].map { "\(message): \($0)" } ?? message)
    }

    /// The `key=value` and `key="quoted value"` pairs of a logfmt line.
    static func fields(of line: String) -> [String: String] {
        var fields: [String: String] = [:]
        var rest = Substring(line.trimmingCharacters(in: .whitespacesAndNewlines))
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = String(rest[..<equals])
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                value = String(rest[..<end])
                rest = rest[end...]
            }
            fields[key] = value
        }
        return fields
    }
}
