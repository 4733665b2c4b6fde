package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"time"

	"github.com/onepipe/onepipe/internal/azure"
	"github.com/onepipe/onepipe/internal/config"
)

// azureFunctionTarget names the Function App target.
const azureFunctionTarget = "azure-function"

// chooseAzureFunction says whether environment env deploys to a Function
// App: it is in azure.functionZip.environments or
// azure.functionContainer.environments.
func chooseAzureFunction(cfg config.Config, env string) bool { return cfg.Azure.FunctionFor(env) != "" }

// newAzureFunctionTarget makes the Function App target of in.Env: a
// Packager for a zip package.
func newAzureFunctionTarget(in TargetInput) (Target, error) {
	t, err := NewAzureFunction(AzureFunctionInput{
		Config: in.Config, Kind: in.Config.Azure.FunctionFor(in.Env), Files: in.Files,
		Image: in.Image, LocalImage: LocalImageRef(in.Config.App, in.Version), Secret: in.Secret,
	})
	if err != nil {
		return nil, err
	}
	if t.kind == config.FunctionZip {
		return azureFunctionZip{t}, nil
	}
	return t, nil
}

// azureFunctionZip is the Function App target of a zip package: its pack
// stage builds the package.
type azureFunctionZip struct{ *AzureFunction }

// PackPlan names the package.
func (z azureFunctionZip) PackPlan() string { return z.PackageLine() }

// Pack builds the package (BuildPackage).
func (z azureFunctionZip) Pack(ctx context.Context, e Engine) (Packed, error) {
	return z.BuildPackage(ctx, e)
}

// AzureFunctionInput is what a Function App target is made from.
type AzureFunctionInput struct {
	// Config is onepipe.yaml, defaults applied.
	Config config.Config
	// Kind is config.FunctionZip or config.FunctionContainer.
	Kind string
	// Files is the app folder (the zip target reads its requirements file).
	Files fs.FS
	// Image is the image a container app is pointed at when the run pushed
	// none and azure.functionContainer.image names none; LocalImage is the
	// name an image has that was never pushed (Azure cannot pull it).
	Image, LocalImage string
	// Secret resolves a secret reference; field names the setting.
	Secret func(field, ref string) (string, error)
	// HTTP reaches Azure, the scm site and the app (http.DefaultClient if nil).
	HTTP *http.Client
}

// AzureFunction deploys the release to an Azure Function App, without a
// cluster: a zip package (built in the pack stage, then uploaded the way the
// app's hosting plan takes it) or the image the run pushed (the app's
// linuxFxVersion). Then it waits for the function's smoke path and runs
// deploy.smoke against the app's host; a failure returns a container app
// to its previous image and a Linux Consumption app to its previous
// package. `onepipe deploy azure-function` runs the same steps on their own.
type AzureFunction struct {
	kind    string
	cfg     config.Azure
	app     azure.FunctionApp
	cred    *azure.Credential
	http    *http.Client
	smoke   azure.Smoke
	warm    config.AzureSmoke
	checks  []config.SmokeCheck
	timeout time.Duration // of deploy.smoke

	// zip package
	pkgOpts  AzurePackageOptions
	wantPkgs []string
	pkg      []byte

	// container
	image    string
	registry *azure.RegistryCreds

	// what Deploy did, for Rollback and Address
	zipDone  azure.ZipDeployed
	ctrDone  azure.ContainerDeployed
	live     bool // the new release reached the app
	stepLog  func(string, ...any)
	address  string
	rollback func(context.Context) (string, error)
}

// NewAzureFunction checks the settings and resolves every secret the deploy
// needs, so that bad input fails before any work.
func NewAzureFunction(in AzureFunctionInput) (*AzureFunction, error) {
	a := in.Config.Azure
	if in.Secret == nil {
		in.Secret = func(string, string) (string, error) { return "", nil }
	}
	cred, err := azure.NewCredential(a, in.Secret)
	if err != nil {
		return nil, err
	}
	cred.HTTP = in.HTTP
	d := in.Config.Deploy.WithDefaults()
	timeout, err := d.TimeoutDuration()
	if err != nil {
		return nil, err
	}
	t := &AzureFunction{kind: in.Kind, cfg: a, cred: cred, http: in.HTTP, checks: d.Smoke, timeout: timeout, stepLog: func(string, ...any) {}}
	field := "azure.functionZip"
	switch in.Kind {
	case config.FunctionZip:
		z := a.FunctionZip
		t.app, t.warm = azure.FunctionApp{Subscription: a.SubscriptionID, ResourceGroup: a.ResourceGroup, Name: z.App}, z.Smoke
		t.pkgOpts = AzurePackageOptions{PythonImage: z.PythonImage(), Requirements: z.RequirementsFile(), Wheelhouse: z.Wheelhouse}
		t.wantPkgs = z.Packages
		if len(t.wantPkgs) == 0 && in.Files != nil {
			if data, err := fs.ReadFile(in.Files, z.RequirementsFile()); err == nil {
				t.wantPkgs = azure.RequirementNames(data)
			}
		}
	case config.FunctionContainer:
		field = "azure.functionContainer"
		c := a.FunctionContainer
		t.app, t.warm = azure.FunctionApp{Subscription: a.SubscriptionID, ResourceGroup: a.ResourceGroup, Name: c.App}, c.Smoke
		if t.image = c.Image; t.image == "" {
			if in.Image == "" || in.Image == in.LocalImage {
				return nil, fmt.Errorf("the Function App %s pulls its image from a registry: add --publish REPOSITORY or --push (or set azure.functionContainer.image)", c.App)
			}
			t.image = in.Image
		}
		if t.registry, err = azureRegistry(c.Registry, in.Secret); err != nil {
			return nil, err
		}
	default:
		return nil, errors.New("no Function App: set azure.functionZip or azure.functionContainer with the environment in its environments list")
	}
	if t.warm.Key != "" {
		v, err := in.Secret(field+".smoke.key", t.warm.Key)
		if err != nil {
			return nil, err
		}
		t.smoke.Key = azure.PlainSecret(v)
	}
	t.smoke.HTTP = in.HTTP
	return t, nil
}

func azureRegistry(r config.AzureRegistry, secret func(field, ref string) (string, error)) (*azure.RegistryCreds, error) {
	if r.Server == "" && !r.ManagedIdentity {
		return nil, nil
	}
	reg := &azure.RegistryCreds{Server: r.Server, Username: r.Username, ManagedIdentity: r.ManagedIdentity, IdentityClientID: r.IdentityClientID}
	if r.Password != "" {
		v, err := secret("azure.functionContainer.registry.password", r.Password)
		if err != nil {
			return nil, err
		}
		reg.Password = azure.PlainSecret(v)
	}
	return reg, nil
}

// Plan describes the deploy, one line a step, the way PlanLines of
// onepipe deploy azure-function does, then the smoke checks and what a
// failure leaves.
func (t *AzureFunction) Plan() []string {
	var steps []string
	what, undo := "the image "+t.image, "point the app back at the image it ran before (its previous linuxFxVersion)"
	if t.kind == config.FunctionZip {
		what = "the zip package of the pack stage"
		steps = azure.FunctionZipPlan(t.cfg)[1:] // the build is the pack stage
		undo = "on Linux Consumption set WEBSITE_RUN_FROM_PACKAGE back to the previous package; the other plans keep no previous package onepipe can return to"
	} else {
		steps = azure.FunctionContainerPlan(t.cfg, t.image)
	}
	steps = append([]string{"azure auth: " + azure.AuthLine(t.cfg)}, steps...)
	if t.warm.Path != "" {
		line := fmt.Sprintf("wait for GET https://<default host>%s to answer 2xx, up to %s", t.warm.Path, t.warm.WaitTimeout())
		if t.warm.Key != "" {
			line += " (x-functions-key from " + t.warm.Key + ")"
		}
		steps = append(steps, line)
	}
	if len(t.checks) > 0 {
		steps = append(steps, fmt.Sprintf("smoke checks: %s against https://<default host> (deploy.smoke, up to %s)", checkNames(t.checks), t.timeout))
	}
	out := []string{fmt.Sprintf("deploy: %s to Function App %s (no cluster)", what, t.app)}
	for i, l := range steps {
		out = append(out, fmt.Sprintf("  %d. %s", i+1, l))
	}
	return append(out, "  on failure: "+undo)
}

// PackageLine names the zip package and where it is built.
func (t *AzureFunction) PackageLine() string {
	return fmt.Sprintf("function.zip for %s (%s)", t.pkgOpts.platform(), t.pkgOpts.PythonImage)
}

// Package is the zip package BuildPackage built (nil before).
func (t *AzureFunction) Package() []byte { return t.pkg }

// Address is the app's URL after Deploy.
func (t *AzureFunction) Address() string { return t.address }

// BuildPackage builds the zip package on the engine from the source (e.Pipeline.Source()),
// checks its layout and keeps it for Deploy.
func (t *AzureFunction) BuildPackage(ctx context.Context, e Engine) (Packed, error) {
	if t.kind != config.FunctionZip {
		return Packed{}, errors.New("a container Function App deploys the image: it has no package")
	}
	if e.Pipeline == nil {
		return Packed{}, errors.New("package function app: no source")
	}
	file := AzureFunctionPackageWith(e.Dag, e.Pipeline.Source(), t.pkgOpts)
	data, r, err := azureCheckedZip(ctx, file, t.wantPkgs)
	if err != nil {
		return Packed{Name: "function.zip"}, err
	}
	t.pkg = data
	return Packed{Name: "function.zip", File: file,
		Detail: fmt.Sprintf("function.zip for %s: %d files, %d KiB, layout checked", t.pkgOpts.platform(), len(r.File), (len(data)+1023)/1024)}, nil
}
