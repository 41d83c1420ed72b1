/// Prometheus text as `/metrics` serves it, parsed for assertions: `name{labels}` → value for every
/// sample line, and the exposition's TYPE and HELP lines by name.
struct PrometheusExposition {
    var samples: [String: Double] = [:]
    var types: [String: Int] = [:]
    var help: Set<String> = []

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                self.types[String(line.split(separator: " ")[2]), default: 0] += 1
            } else if line.hasPrefix("# HELP ") {
                self.help.insert(String(line.split(separator: " ")[2]))
            } else if let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) {
                self.samples[String(line[..<space])] = value
            }
        }
    }

    subscript(_ key: String) -> Double? { self.samples[key] }
}
