package pipeline

import (
	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/versions"
)

// osvScannerModule is the Go module osv-scanner is built from.
const osvScannerModule = "github.com/google/osv-scanner/v2"

// OSVScannerBinary builds osv-scanner (versions.OSVScanner) from the Go
// module proxy in a golang container, as HelmBinary builds helm: the Go
// module and build caches are cache volumes and the engine caches the
// result, so only the first scan waits for it (minutes). Its go.mod asks
// for a newer Go than versions.GolangImage has: GOTOOLCHAIN names the one
// (versions.OSVScannerGo) the go command fetches from the module proxy.
func OSVScannerBinary(dag *dagger.Client) *dagger.File {
	const bin = "/out"
	return goBuilder(dag).
		WithEnvVariable("GOTOOLCHAIN", versions.OSVScannerGo).
		WithEnvVariable("GOBIN", bin).
		WithExec([]string{"go", "install", "-trimpath", "-ldflags=-s -w", osvScannerModule + "/cmd/osv-scanner@" + versions.OSVScanner}).
		File(bin + "/osv-scanner")
}
