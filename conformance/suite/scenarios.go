package suite

// The built-in scenarios, registered in table order (one init, so the
// order does not hang on file names).
func init() {
	registerBasic()
	registerParent()
	registerProc()
	registerExtensions()
	registerSettings()
}
