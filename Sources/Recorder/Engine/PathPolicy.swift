#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where `record` may write. A relative `pathToFile` resolves against the media directory; an
/// absolute one must lie inside an allowed root (the media directory, plus configured roots).
/// `..` is resolved lexically first, then symbolic links in the part of the path that exists
/// are followed, so neither `../../etc/x` nor a link inside a root that points outside it can
/// take a recording out of the roots.
///
/// The check is made when the command arrives; a link created later inside a root is the
/// operator's business (the roots are the operator's folders, not the API client's).
public struct PathPolicy: Sendable, Equatable {
    /// Absolute and normalized.
    public let mediaDirectory: String
    /// Absolute and normalized; the media directory first.
    public let allowedRoots: [String]

    /// Relative `mediaDirectory` and roots resolve against `currentDirectory` (the process's
    /// working directory by default).
    public init(mediaDirectory: String, additionalRoots: [String] = [], currentDirectory: String? = nil) {
        let cwd = currentDirectory ?? Self.workingDirectory()
        let media = Self.normalize(mediaDirectory, relativeTo: cwd)
        self.mediaDirectory = media
        var roots = [media]
        for root in additionalRoots.map({ Self.normalize($0, relativeTo: cwd) }) where !roots.contains(root) {
            roots.append(root)
        }
        allowedRoots = roots
    }

    /// The absolute path a `pathToFile` value names, or a `PathPolicyError` saying why it is
    /// refused.
    public func resolve(_ pathToFile: String) throws(PathPolicyError) -> String {
        guard !pathToFile.isEmpty else { throw PathPolicyError("pathToFile is empty") }
        guard !pathToFile.hasSuffix("/") else {
            throw PathPolicyError("pathToFile '\(pathToFile)' names a folder: expected a file name (the type's extension is added)")
        }
        let resolved = Self.normalize(pathToFile, relativeTo: mediaDirectory)
        let rootList = allowedRoots.joined(separator: ", ")
        guard let root = allowedRoots.first(where: { Self.isInside(resolved, root: $0) }) else {
            throw PathPolicyError("pathToFile '\(pathToFile)' resolves to \(resolved), outside the allowed roots (\(rootList))")
        }
        guard resolved != root else {
            throw PathPolicyError("pathToFile '\(pathToFile)' names the folder \(root) itself: expected a file name inside it")
        }
        // Follow the links of what exists: the real location must be inside a root's real
        // location too.
        let real = Self.realPathOfExistingPrefix(resolved)
        guard allowedRoots.contains(where: { Self.isInside(real, root: Self.realPathOfExistingPrefix($0)) }) else {
            throw PathPolicyError("pathToFile '\(pathToFile)' leads through a symbolic link to \(real), outside the allowed roots (\(rootList))")
        }
        return resolved
    }

    // MARK: Helpers

    static func isInside(_ path: String, root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root + "/")
    }

    /// Lexical normalization: absolute (against `base`), no `.`, `..` or empty components.
    /// `..` at the root stays at the root, as POSIX resolves it.
    public static func normalize(_ path: String, relativeTo base: String) -> String {
        let full = path.hasPrefix("/") ? path : base + "/" + path
        var parts: [Substring] = []
        for component in full.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(component)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `realpath` of the longest existing prefix of an absolute normalized path, with the
    /// rest appended.
    static func realPathOfExistingPrefix(_ path: String) -> String {
        var head = path
        var tail: [String] = []
        while true {
            if let real = realPath(head) {
                return tail.isEmpty ? real : normalize(tail.reversed().joined(separator: "/"), relativeTo: real)
            }
            guard head != "/", let slash = head.lastIndex(of: "/") else { return path }
            tail.append(String(head[head.index(after: slash)...]))
            head = slash == head.startIndex ? "/" : String(head[..<slash])
        }
    }

    /// The corresponding C function is `realpath`.
    static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    static func workingDirectory() -> String {
        guard let pointer = getcwd(nil, 0) else { return "/" }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}

/// A `pathToFile` the policy refuses; the description is the FAIL answer's.
public struct PathPolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
