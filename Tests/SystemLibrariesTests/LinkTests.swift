import CGit2
import CYAML
import Testing

@Suite("system libraries link")
struct LinkTests {
    @Test("libgit2 1.5 initialises and reports its version")
    func libgit2Links() throws {
        #expect(git_libgit2_init() >= 1)
        defer { git_libgit2_shutdown() }
        var major: Int32 = 0, minor: Int32 = 0, rev: Int32 = 0
        #expect(git_libgit2_version(&major, &minor, &rev) == 0)
        #expect(major == 1 && minor >= 5)
        var enabled: Int32 = -1
        #expect(almanac_git_set_owner_validation(0) == 0)
        #expect(almanac_git_get_owner_validation(&enabled) == 0)
        #expect(enabled == 0)
        #expect(almanac_git_set_owner_validation(1) == 0)
    }

    @Test("libyaml 0.2 parses a document")
    func libyamlLinks() throws {
        let version = String(cString: yaml_get_version_string())
        #expect(version.hasPrefix("0.2"))
        var parser = yaml_parser_t()
        #expect(yaml_parser_initialize(&parser) == 1)
        defer { yaml_parser_delete(&parser) }
        let text = Array("a: 1\n".utf8)
        text.withUnsafeBufferPointer { buf in
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
        }
        var document = yaml_document_t()
        #expect(yaml_parser_load(&parser, &document) == 1)
        defer { yaml_document_delete(&document) }
        let root = yaml_document_get_root_node(&document)
        #expect(root?.pointee.type == YAML_MAPPING_NODE)
    }
}
