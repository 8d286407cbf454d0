/// What a `${VAR}` without a value (not set, no `${VAR:-default}`) means for a load.
///
/// The runner needs every value, so for `almanac run` it is an error of that spec (whose last
/// good version keeps running). `validate` and `plan` run where the production secrets are not
/// — a pull request's CI — and only show templates, so there it is a positioned warning.
public enum UnsetVariables: Sendable, Hashable {
    /// The spec is invalid (the runner's load).
    case error
    /// The spec stays valid and the variable is named in a warning (validate, plan).
    case warning
}
