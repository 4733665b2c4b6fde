package cli

import (
	"fmt"
	"runtime/debug"

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

func newVersionCommand(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print onepipe's version and the Dagger engine version it expects",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(env.Out, "onepipe %s (dagger SDK v%s)\n", version(), engineconn.CLIVersion)
			return nil
		},
	}
}
