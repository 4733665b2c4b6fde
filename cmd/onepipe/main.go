// Command onepipe runs the onepipe CI/CD pipeline: see `onepipe --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/onepipe/onepipe/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, cli.SystemEnv(), os.Args[1:])
	stop()
	os.Exit(code)
}
