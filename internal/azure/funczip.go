package azure

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
	"github.com/onepipe/onepipe/internal/config"
)

// App settings the zip deploy reads and writes.
const (
	SettingRunFromPackage = "WEBSITE_RUN_FROM_PACKAGE"
	SettingBuildOnDeploy  = "SCM_DO_BUILD_DURING_DEPLOYMENT"
	SettingStorage        = "AzureWebJobsStorage"
)

// ReleasesContainer is the blob container a Linux Consumption app's
// packages go to, as az names it (azure-cli appservice/custom.py,
// upload_zip_to_storage).
const ReleasesContainer = "function-releases"

// packageURLLife is how long the read SAS of a Linux Consumption package
// lasts: the app reads the package on every cold start, so as long as az
// makes it (520 weeks).
const packageURLLife = 520 * 7 * 24 * time.Hour

// FunctionZipDeploy deploys a zip package to a Function App the way its
// hosting plan takes it (see Upload), and can return a Linux Consumption
// app to the package it ran before.
type FunctionZipDeploy struct {
	// ARM reaches the app; its Tokens also sign in to the scm site.
	ARM *ARM
	App FunctionApp
	// Expect is the plan onepipe.yaml names (azure.functionZip.hostingPlan);
	// "" takes the app's.
	Expect string
	// Timeout bounds the deploy, every wait Azure asks for included
	// (default config.AzureDeployTimeout).
	Timeout time.Duration
	// HTTP is the client the scm site and the storage account are reached
	// with (http.DefaultClient if nil).
	HTTP *http.Client
	// PollInterval paces the deployment status and app settings checks
	// (defaults: 2s and 5s).
	PollInterval time.Duration
	// Log receives a line per step (nil: none).
	Log io.Writer
	// Now is the clock (time.Now if nil).
	Now func() time.Time
}

// ZipDeployed is what a deploy did.
type ZipDeployed struct {
	Site    Site
	Hosting Hosting
	Upload  Upload
	// Blob is the package's blob (container/name) for a run-from-package
	// upload.
	Blob string
	// Deployment is the scm site's deployment (publish and zipdeploy).
	Deployment Deployment
	// Live is true once the app was given the new package (the scm site
	// reported the deployment done, or WEBSITE_RUN_FROM_PACKAGE was set).
	Live bool
	// previous is WEBSITE_RUN_FROM_PACKAGE before a run-from-package
	// upload; a secret (a read URL).
	previous string
}

// Deploy reads the app and its hosting plan, then uploads pkg the way the
// plan takes it and waits for the deployment.
func (d *FunctionZipDeploy) Deploy(ctx context.Context, pkg []byte) (ZipDeployed, error) {
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = config.AzureDeployTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var out ZipDeployed
	site, err := d.ARM.Site(ctx, d.App)
	if err != nil {
		return out, err
	}
	out.Site = site
	if out.Hosting, err = d.ARM.Hosting(ctx, d.App, site); err != nil {
		return out, err
	}
	if d.Expect != "" && out.Hosting.Setting() != d.Expect {
		return out, fmt.Errorf("azure.functionZip.hostingPlan is %s, but %s runs on %s: set it to %s (or leave it out)", d.Expect, d.App, out.Hosting, out.Hosting.Setting())
	}
	out.Upload = out.Hosting.Upload()
	d.logf("azure function %s: hosting plan %s: %s", d.App.Name, out.Hosting, UploadLine(out.Upload))
	switch out.Upload {
	case UploadPublish:
		k, err := d.kudu(site, timeout)
		if err != nil {
			return out, err
		}
		out.Deployment, err = k.Publish(ctx, bytes.NewReader(pkg))
		out.Live = err == nil
		return out, err
	case UploadRunFromPackage:
		return d.runFromPackage(ctx, out, pkg)
	}
	return d.zipDeploy(ctx, out, pkg, timeout)
}

// zipDeploy is the upload of the plans with /api/zipdeploy.
func (d *FunctionZipDeploy) zipDeploy(ctx context.Context, out ZipDeployed, pkg []byte, timeout time.Duration) (ZipDeployed, error) {
	k, err := d.kudu(out.Site, timeout)
	if err != nil {
		return out, err
	}
	settings, err := d.ARM.AppSettings(ctx, d.App)
	if err != nil {
		return out, fmt.Errorf("deploy to %s: %w", d.App, err)
	}
	if isURL(settings[SettingRunFromPackage]) {
		return out, fmt.Errorf("deploy to %s: %s holds a package URL, and Kudu refuses a zip deploy then (409): delete the setting (or set it to 1) and run again", d.App, SettingRunFromPackage)
	}
	if v := strings.ToLower(settings[SettingBuildOnDeploy]); out.Hosting.Linux && (v == "" || v == "true" || v == "1") {
		d.logf("azure function %s: set %s=false (the package holds its dependencies)", d.App.Name, SettingBuildOnDeploy)
		if err := d.ARM.putAppSettings(ctx, d.App, settings, map[string]string{SettingBuildOnDeploy: "false"}); err != nil {
			return out, fmt.Errorf("deploy to %s: %w", d.App, err)
		}
		d.waitForSCM(ctx, k, SettingBuildOnDeploy, "false")
	}
	out.Deployment, err = k.ZipDeploy(ctx, bytes.NewReader(pkg))
	out.Live = err == nil
	return out, err
}

// waitForSCM waits until the scm site sees setting = want, as az does
// before it uploads (10 tries, 5s apart); when it never does, the deploy
// goes on with a note, as az's does.
func (d *FunctionZipDeploy) waitForSCM(ctx context.Context, k *Kudu, setting, want string) {
	every := d.PollInterval
	if every <= 0 {
		every = 5 * time.Second
	}
	for try := 0; try < 10; try++ {
		if s, err := k.Settings(ctx); err == nil && strings.EqualFold(s[setting], want) {
			return
		}
		if arm.Sleep(ctx, every) != nil {
			break
		}
	}
	d.logf("azure function %s: the scm site does not show %s=%s yet; deploying anyway", d.App.Name, setting, want)
}

// runFromPackage is the Linux Consumption upload.
func (d *FunctionZipDeploy) runFromPackage(ctx context.Context, out ZipDeployed, pkg []byte) (ZipDeployed, error) {
	settings, err := d.ARM.AppSettings(ctx, d.App)
	if err != nil {
		return out, fmt.Errorf("deploy to %s: %w", d.App, err)
	}
	conn := settings[SettingStorage]
	if conn == "" {
		return out, fmt.Errorf("deploy to %s: a Linux Consumption app runs its package from its storage account, and the app has no %s connection string: add one, or set %s to a package URL yourself (https://aka.ms/deployfromurl)", d.App, SettingStorage, SettingRunFromPackage)
	}
	acct, err := ParseStorageConnectionString(conn)
	if err != nil {
		return out, fmt.Errorf("deploy to %s: %s: %w", d.App, SettingStorage, err)
	}
	now := d.now()
	name := now.UTC().Format("20060102150405") + "-" + uuid() + ".zip"
	b := &Blobs{Account: acct, HTTP: d.HTTP, Now: d.Now}
	d.logf("azure function %s: upload the package to %s/%s in storage account %s", d.App.Name, ReleasesContainer, name, acct.Name)
	if err := b.EnsureContainer(ctx, ReleasesContainer); err != nil {
		return out, fmt.Errorf("deploy to %s: %w", d.App, err)
	}
	if err := b.Put(ctx, ReleasesContainer, name, pkg, "application/zip"); err != nil {
		return out, fmt.Errorf("deploy to %s: %w", d.App, err)
	}
	out.Blob = ReleasesContainer + "/" + name
	out.previous = settings[SettingRunFromPackage]
	link := b.ReadURL(ReleasesContainer, name, now.Add(-10*time.Minute), now.Add(packageURLLife))
	d.logf("azure function %s: set %s to the package's read URL, sync the triggers", d.App.Name, SettingRunFromPackage)
	if err := d.ARM.putAppSettings(ctx, d.App, settings, map[string]string{SettingRunFromPackage: link}, link); err != nil {
		return out, fmt.Errorf("deploy to %s: %w", d.App, err)
	}
	out.Live = true
	if err := d.ARM.SyncTriggers(ctx, d.App); err != nil {
		return out, err
	}
	out.Deployment = Deployment{Status: DeploySuccess, Complete: true}
	return out, nil
}

// ErrNoRollback is wrapped by Rollback errors when the plan keeps no
// previous package onepipe could return to.
var ErrNoRollback = errors.New("no previous package to return to")

// Rollback returns the app to the package it ran before the deploy: on
// Linux Consumption WEBSITE_RUN_FROM_PACKAGE gets its previous URL back and
// the triggers are synced. The other plans keep no previous package onepipe
// can name (an error wrapping ErrNoRollback says so).
func (d *FunctionZipDeploy) Rollback(ctx context.Context, did ZipDeployed) error {
	if did.Upload != UploadRunFromPackage || !isURL(did.previous) {
		return fmt.Errorf("%s on %s: %w", d.App, orUnknown(did.Hosting.String()), ErrNoRollback)
	}
	if err := d.ARM.MergeAppSettings(ctx, d.App, map[string]string{SettingRunFromPackage: did.previous}, did.previous); err != nil {
		return fmt.Errorf("roll %s back: %w", d.App, err)
	}
	return d.ARM.SyncTriggers(ctx, d.App)
}

// kudu is the scm site of the app.
func (d *FunctionZipDeploy) kudu(site Site, timeout time.Duration) (*Kudu, error) {
	if site.SCMHostName == "" {
		return nil, fmt.Errorf("deploy to %s: %s named no scm host for the app (hostNameSslStates)", d.App, arm.Service)
	}
	k := NewKudu(site.SCMHostName, d.ARM.Tokens)
	k.HTTP, k.Timeout = d.HTTP, timeout
	if d.PollInterval > 0 {
		k.PollInterval = d.PollInterval
	}
	return k, nil
}

func (d *FunctionZipDeploy) logf(format string, args ...any) {
	if d.Log != nil {
		fmt.Fprintf(d.Log, format+"\n", args...)
	}
}

func (d *FunctionZipDeploy) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func isURL(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// uuid is a random (version 4) UUID, as az names a package blob.
func uuid() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
