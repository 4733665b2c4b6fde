package cli

import (
	"bytes"
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
		Long: `Deploy the app in --source to the Function App named in onepipe.yaml.

With azure.functionZip the package is built in the app's Python image the way
the Functions host loads it (dependencies in .python_packages/lib/site-packages,
functions at the zip root), checked, and uploaded with Kudu's zipdeploy API.
With azure.functionContainer the Function App is pointed at an image
(--image, or azure.functionContainer.image), the registry settings it pulls
with are set, and it is restarted when asked. Both end with a smoke test of
the function's URL when a smoke path is configured.

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
		pkg, err := o.buildZip(ctx, env, proj, zip)
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

	cred, err := azureCredential(env, a)
	if err != nil {
		return err
	}
	arm := &azure.ARM{Tokens: cred, BaseURL: a.ARMURL}
	if zip.App != "" {
		app := azure.FunctionApp{Subscription: a.SubscriptionID, ResourceGroup: a.ResourceGroup, Name: zip.App}
		pkg, err := o.buildZip(ctx, env, proj, zip)
		if err != nil {
			return err
		}
		site, err := arm.Site(ctx, app)
		if err != nil {
			return err
		}
		kudu := azure.NewKudu(site.SCMHostName, cred)
		kudu.Timeout = zip.DeployTimeout()
		if _, err := kudu.ZipDeploy(ctx, bytes.NewReader(pkg)); err != nil {
			return err
		}
		fmt.Fprintf(env.Out, "deployed %d bytes to %s\n", len(pkg), app)
		return azureSmoke(ctx, env, site, zip.Smoke)
	}

	app := azure.FunctionApp{Subscription: a.SubscriptionID, ResourceGroup: a.ResourceGroup, Name: ctr.App}
	image := o.image
	if image == "" {
		image = ctr.Image
	}
	if image == "" {
		return usagef("no image for %s: pass --image REF (e.g. the ref `onepipe pack --publish` printed) or set azure.functionContainer.image", ctr.App)
	}
	reg, err := azureRegistry(env, ctr.Registry)
	if err != nil {
		return err
	}
	if err := arm.SetContainerImage(ctx, app, image, reg); err != nil {
		return err
	}
	if ctr.Restart {
		if err := arm.Restart(ctx, app); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Out, "%s now runs %s\n", app, image)
	site, err := arm.Site(ctx, app)
	if err != nil {
		return err
	}
	return azureSmoke(ctx, env, site, ctr.Smoke)
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

// buildZip builds and checks the package on the engine.
func (o *deployAzureOptions) buildZip(ctx context.Context, env *Env, proj project.Project, z config.AzureFunctionZip) ([]byte, error) {
	dag, err := env.Connect(ctx, env, env.Err, o.debug)
	if err != nil {
		return nil, err
	}
	defer closeEngine(dag, env.Err)
	pkgs := z.Packages
	if len(pkgs) == 0 {
		if data, err := os.ReadFile(filepath.Join(proj.Dir, z.RequirementsFile())); err == nil {
			pkgs = azure.RequirementNames(data)
		}
	}
	opts := pipeline.AzurePackageOptions{PythonImage: z.PythonImage(), Requirements: z.RequirementsFile(), Wheelhouse: z.Wheelhouse}
	return pipeline.AzureBuildFunctionZip(ctx, dag, pipeline.HostSource(dag, proj.Dir), opts, pkgs)
}

// azureCredential resolves the service principal's secret before any call.
func azureCredential(env *Env, a config.Azure) (*azure.Credential, error) {
	cred, err := azure.NewCredential(a, env.plan().Secrets.Lookup)
	if err != nil {
		return nil, usageError(err)
	}
	return cred, nil
}

func azureRegistry(env *Env, r config.AzureRegistry) (*azure.RegistryCreds, error) {
	if r.Server == "" && !r.ManagedIdentity {
		return nil, nil
	}
	reg := &azure.RegistryCreds{Server: r.Server, Username: r.Username, ManagedIdentity: r.ManagedIdentity, IdentityClientID: r.IdentityClientID}
	if r.Password != "" {
		v, err := resolveSecret(env, "azure.functionContainer.registry.password", r.Password)
		if err != nil {
			return nil, err
		}
		reg.Password = azure.PlainSecret(v)
	}
	return reg, nil
}

// azureSmoke polls the function's URL until it answers, when a path is set.
func azureSmoke(ctx context.Context, env *Env, site azure.Site, s config.AzureSmoke) error {
	if s.Path == "" {
		return nil
	}
	smoke := &azure.Smoke{}
	if s.Key != "" {
		v, err := resolveSecret(env, "azure smoke key", s.Key)
		if err != nil {
			return err
		}
		smoke.Key = azure.PlainSecret(v)
	}
	url := "https://" + site.DefaultHostName + s.Path
	status, err := smoke.Wait(ctx, url, s.WaitTimeout())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "smoke test %s: %d\n", url, status)
	return nil
}
