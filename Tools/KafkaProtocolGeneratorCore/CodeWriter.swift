/// Builds indented Swift source line by line. `block` opens a brace, indents its body and closes it,
/// so the emitters never count spaces.
public struct CodeWriter {
    public private(set) var text = ""
    private var depth = 0
    private let indentUnit: String

    public init(indent: String = "    ") {
        self.indentUnit = indent
    }

    /// Appends one line at the current depth (an empty string gives an empty line with no trailing space).
    public mutating func line(_ content: String = "") {
        if content.isEmpty {
            self.text += "\n"
        } else {
            self.text += String(repeating: self.indentUnit, count: self.depth) + content + "\n"
        }
    }

    /// `header {`, the body one level deeper, then `}` plus `trailer`.
    public mutating func block(_ header: String, trailer: String = "", _ body: (inout CodeWriter) throws -> Void) rethrows {
        self.line(header + " {")
        self.depth += 1
        try body(&self)
        self.depth -= 1
        self.line("}" + trailer)
    }

    /// `///` documentation lines, wrapped at `width` columns; nothing for empty text.
    public mutating func documentation(_ text: String?, width: Int = 116) {
        guard let text, !text.isEmpty else { return }
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var current = ""
            for word in paragraph.split(separator: " ") {
                // Room on the line: the width, less the indentation and the "/// " prefix.
                if !current.isEmpty && current.count + word.count + 1 > width - self.depth * self.indentUnit.count - 4 {
                    self.line("/// " + current)
                    current = ""
                }
                current += current.isEmpty ? String(word) : " " + word
            }
            self.line(current.isEmpty ? "///" : "/// " + current)
        }
    }
}
