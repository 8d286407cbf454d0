import ArgumentParser
import Foundation
import Manifest

/// Output formats of the read commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown
}

/// The watched directory and the state directory, shared by the commands that read both.
struct WorkspaceOptions: ParsableArguments {
    @Argument(help: "The watched directory of job files.", completion: .directory)
    var path: String = "jobs.d"

    @Option(name: .long, help: "The state directory (journal, logs). Default: .almanac/<name>/ beside the watched directory <name>.")
    var state: String?

    var root: URL { URL(fileURLWithPath: path).standardizedFileURL }

    /// `--state`, or the watched directory's own default (StateLocation); read it once per
    /// command, since the default may print a note.
    var stateDirectory: URL {
        if let state { return URL(fileURLWithPath: state).standardizedFileURL }
        return StateLocation.defaultDirectory(watching: root)
    }

    /// `--state`, or the default of `run --repo` for `repository` on `branch`, or (without a
    /// repository) the watched directory's own default; read it once per command.
    func stateDirectory(repository: String?, branch: String) -> URL {
        guard let repository else { return stateDirectory }
        return state.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? StateLocation.defaultDirectory(repository: repository, branch: branch)
    }

    /// How a file path is shown: under the directory as the user typed it.
    func display(_ relative: String) -> String {
        let prefix = path.hasSuffix("/") ? String(path.dropLast()) : path
        return prefix == "." ? relative : prefix + "/" + relative
    }

    /// A diagnostic with its file shown under the directory as typed.
    func display(_ diagnostic: Diagnostic) -> Diagnostic {
        var shown = diagnostic
        shown.location.file = display(diagnostic.location.file)
        return shown
    }
}

/// The state directory alone, for commands that take a job name rather than a path.
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: "The watched directory whose default state directory to read.")
    var path: String = "jobs.d"

    @Option(name: .long, help: "The state directory (journal, logs). Default: .almanac/<name>/ beside the watched directory <name>.")
    var state: String?

    /// `--state`, or the default of `--path`; read it once per command.
    var stateDirectory: URL {
        if let state { return URL(fileURLWithPath: state).standardizedFileURL }
        return StateLocation.defaultDirectory(watching: URL(fileURLWithPath: path).standardizedFileURL)
    }
}

/// Prints to stderr; commands print results to stdout and problems here.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
