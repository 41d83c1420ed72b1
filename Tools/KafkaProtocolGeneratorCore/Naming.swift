/// Swift names for the JSON's UpperCamelCase names.
public enum Naming {
    /// `ErrorCode` → `errorCode`, `ZkMigrationReady` → `zkMigrationReady`, `ID` → `id`, `URLPath` → `urlPath`.
    public static func lowerCamel(_ name: String) -> String {
        let characters = Array(name)
        var leadingUpper = 0
        while leadingUpper < characters.count, characters[leadingUpper].isUppercase { leadingUpper += 1 }
        if leadingUpper == 0 { return name }
        // In "URLPath" the run is "URLP": keep the last capital, which starts the next word.
        let lowered = leadingUpper == characters.count || leadingUpper == 1 ? leadingUpper : leadingUpper - 1
        return String(characters[..<lowered]).lowercased() + String(characters[lowered...])
    }

    /// The name as an identifier, in backticks when it is a Swift keyword.
    public static func identifier(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
        "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "catch", "false", "is", "nil",
        "self", "Self", "super", "throw", "throws", "true", "try", "any", "some", "Type", "package",
    ]
}
