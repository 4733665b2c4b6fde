package cli

import (
	"fmt"
	"runtime/debug"
	"strconv"

	"dagger.io/dagger/engineconn"
	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/onepipe/onepipe/internal/cli.Version=v1.0.0".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// versionLine is what `onepipe version` and `onepipe --version` print.
func versionLine() string {
	return fmt.Sprintf("onepipe %s (dagger SDK v%s)", version(), engineconn.CLIVersion)
}

// versionTemplate is the root command's --version template: versionLine as a
// quoted template string, so nothing in the version is read as template code.
func versionTemplate() string {
	return "{{" + strconv.Quote(versionLine()) + "}}\n"
}

func newVersionCommand(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print onepipe's version and the Dagger engine version it expects",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(env.Out, versionLine())
			return nil
		},
	}
}
