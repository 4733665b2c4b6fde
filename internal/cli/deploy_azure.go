package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/onepipe/onepipe/internal/azure"
	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/project"
	"github.com/onepipe/onepipe/pipeline"
)

func newDeployCommand(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deploy <target> [flags]",
		Short: "Deploy the app to a target: azure-function",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newDeployAzureFunctionCommand(env))
	return cmd
}

type deployAzureOptions struct {
	source  sourceOptions
	out     outOptions
	debug   bool
	image   string
	zipOnly bool
	dryRun  bool
}

func newDeployAzureFunctionCommand(env *Env) *cobra.Command {
	o := &deployAzureOptions{}
	cmd := &cobra.Command{
		Use:   "azure-function [flags]",
		Short: "Deploy to an Azure Function App: a zip package, or a container image",
		Long: `Deploy the app in --source to the Function App named in onepipe.yaml, on its own:
the deploy stage of ` + "`onepipe run --deploy`" + ` for an environment listed in
azure.functionZip.environments (or functionContainer's), without test and lint.

With azure.functionZip the package is built for linux/amd64 in the app's
Python image the way the Functions host loads it (dependencies in
.python_packages/lib/site-packages, functions at the zip root), checked, and
uploaded the way the app's hosting plan takes it, as az does: POST
/api/publish on Flex Consumption; on Linux Consumption a blob in the app's
storage account that WEBSITE_RUN_FROM_PACKAGE points at; elsewhere
SCM_DO_BUILD_DURING_DEPLOYMENT=false and POST /api/zipdeploy. With
azure.functionContainer the Function App is pointed at an image (--image, or
azure.functionContainer.image), the registry settings it pulls with are set,
and it is restarted when asked. Both end with the function's smoke path and
deploy.smoke; a failure points a container app back at its previous image and
a Linux Consumption app at its previous package.

Authentication is a service principal: azure.tenantId and azure.clientId with
azure.clientSecret, or azure.federatedToken (a CI's OIDC token), both as
env:NAME / file:PATH references.`,
		Example: `  onepipe deploy azure-function --source examples/azure-function
  onepipe deploy azure-function --image acme.azurecr.io/shop:v1.2.3
  onepipe deploy azure-function --source examples/azure-function --zip-only --out /tmp/pkg`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), env)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.source.Source, "source", "s", ".", "folder of the Function App: function_app.py, host.json, requirements.txt, onepipe.yaml")
	o.out.bind(cmd)
	f.BoolVar(&o.debug, "debug", false, "show the engine's progress in more detail (every step, with its inputs)")
	f.StringVar(&o.image, "image", "", "image reference for a container Function App (default azure.functionContainer.image)")
	f.BoolVar(&o.zipOnly, "zip-only", false, "build and check the zip package into OUT/function.zip, deploy nothing")
	f.BoolVar(&o.dryRun, "dry-run", false, "print what the deploy would do, one line a step, and stop (calls nothing)")
	return cmd
}

func (o *deployAzureOptions) run(ctx context.Context, env *Env) error {
	if o.zipOnly && o.image != "" {
		return usagef("--zip-only and --image exclude each other: --zip-only builds the azure.functionZip package, --image deploys azure.functionContainer")
	}
	loaded, err := loadApp(o.source)
	if err != nil {
		return err
	}
	proj, cfg := loaded.Project, loaded.Config
	if o.dryRun {
		for _, l := range azure.PlanLines(cfg.Azure) {
			fmt.Fprintln(env.Out, l)
		}
		return nil
	}
	a := cfg.Azure
	zip, ctr := a.FunctionZip, a.FunctionContainer
	if zip.App == "" && ctr.App == "" {
		return usagef("no Function App in %s: set azure.functionZip.app or azure.functionContainer.app", filepath.Join(proj.Dir, config.FileName))
	}
	if o.zipOnly {
		if zip.App == "" {
			return usagef("--zip-only needs azure.functionZip in %s", config.FileName)
		}
		// before the build: a bad --out would only show once the zip is made
		if err := o.out.check(); err != nil {
			return usageError(err)
		}
		pkg, err := o.buildZip(ctx, env, proj, cfg)
		if err != nil {
			return err
		}
		out, err := writeFunctionZip(o.out.Out, pkg)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "package %s (%d bytes) has the layout the Functions host loads\n", out, len(pkg))
		return nil
	}

	kind := config.FunctionZip
	if zip.App == "" {
		kind = config.FunctionContainer
		if o.image != "" {
			cfg.Azure.FunctionContainer.Image = o.image
		}
		if cfg.Azure.FunctionContainer.Image == "" {
			return usagef("no image for %s: pass --image REF (e.g. the ref `onepipe pack --publish` printed) or set azure.functionContainer.image", ctr.App)
		}
	}
	// the same target `onepipe run --deploy` deploys an environment with
	t, err := pipeline.NewAzureFunction(pipeline.AzureFunctionInput{Config: cfg, Kind: kind, Files: os.DirFS(proj.Dir), Secret: env.plan().Secrets.Lookup})
	if err != nil {
		return usageError(err)
	}
	to := pipeline.Destination{Engine: pipeline.Engine{Log: env.Out}}
	if kind == config.FunctionZip {
		dag, err := env.Connect(ctx, env, env.Err, o.debug)
		if err != nil {
			return err
		}
		defer closeEngine(dag, env.Err)
		to.Dag, to.Pipeline = dag, pipeline.New(dag, pipeline.HostSource(dag, proj.Dir), pipeline.Options{App: cfg.App})
		packed, err := t.BuildPackage(ctx, to.Engine)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "package: %s\n", packed.Detail)
	}
	done, err := t.Deploy(ctx, to)
	if err != nil {
		return t.Rollback(ctx, err)
	}
	if kind == config.FunctionContainer {
		fmt.Fprintf(env.Out, "Function App %s/%s now runs %s\n", a.ResourceGroup, ctr.App, cfg.Azure.FunctionContainer.Image)
	}
	fmt.Fprintf(env.Out, "deployed %s; the app answers at %s\n", done.Summary, done.AddressLine())
	return nil
}

// writeFunctionZip writes the zip package to dir/function.zip, creating dir
// when missing, and returns the file's path.
func writeFunctionZip(dir string, data []byte) (string, error) {
	out := filepath.Join(dir, "function.zip")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("write the zip package: %w", err)
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return "", fmt.Errorf("write the zip package: %w", err)
	}
	return out, nil
}

// buildZip builds and checks the package on the engine, as the pack stage
// of `onepipe run` does for a Function App environment.
func (o *deployAzureOptions) buildZip(ctx context.Context, env *Env, proj project.Project, cfg config.Config) ([]byte, error) {
	t, err := pipeline.NewAzureFunction(pipeline.AzureFunctionInput{Config: cfg, Kind: config.FunctionZip, Files: os.DirFS(proj.Dir),
		Secret: func(string, string) (string, error) { return "unused", nil }}) // --zip-only signs in nowhere
	if err != nil {
		return nil, usageError(err)
	}
	dag, err := env.Connect(ctx, env, env.Err, o.debug)
	if err != nil {
		return nil, err
	}
	defer closeEngine(dag, env.Err)
	e := pipeline.Engine{Dag: dag, Pipeline: pipeline.New(dag, pipeline.HostSource(dag, proj.Dir), pipeline.Options{App: cfg.App})}
	if _, err := t.BuildPackage(ctx, e); err != nil {
		return nil, err
	}
	return t.Package(), nil
}
