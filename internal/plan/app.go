package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/project"
	"github.com/onepipe/onepipe/pipeline"
)

// App is an app folder as onepipe sees it: what is in it, and onepipe.yaml
// with its defaults.
type App struct {
	Source  Source
	Project project.Project
	Config  config.Config
}

// Load inspects the app folder and reads its onepipe.yaml, checking every
// environment's cluster settings.
func Load(src Source, dockerfile string) (*App, error) {
	if src.Dir != "" {
		abs, err := filepath.Abs(src.Dir)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", src.Dir, err)
		}
		if src.Name == "" {
			src.Name = filepath.Base(abs)
		}
	}
	var (
		proj project.Project
		cfg  config.Config
		err  error
	)
	if src.Dir != "" {
		if proj, err = project.Inspect(src.Dir, dockerfile); err != nil {
			return nil, err
		}
		if cfg, err = config.Load(proj.Dir); err != nil {
			return nil, err
		}
		src.FS = os.DirFS(proj.Dir)
	} else {
		if proj, err = project.InspectFS(src.FS, dockerfile); err != nil {
			return nil, err
		}
		if cfg, err = configFrom(src.FS, src.Name); err != nil {
			return nil, err
		}
	}
	if err := pipeline.CheckClusters(cfg); err != nil {
		return nil, &config.Error{File: config.FileName, Err: err}
	}
	return &App{Source: src, Project: proj, Config: cfg}, nil
}

// configFrom reads onepipe.yaml from files, or gives the defaults when there
// is none; name names the app when the file does not. Like config.Load it
// refuses anything but a regular file before reading it.
func configFrom(files fs.FS, name string) (config.Config, error) {
	st, err := fs.Stat(files, config.FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return config.Config{}.WithDefaults(name), nil
	}
	if err == nil && !st.Mode().IsRegular() {
		err = errors.New("not a regular file: replace it with a YAML file, or remove it to use the defaults")
	}
	var data []byte
	if err == nil {
		data, err = fs.ReadFile(files, config.FileName)
	}
	if err != nil {
		return config.Config{}, &config.Error{File: config.FileName, Err: err}
	}
	c, err := config.Parse(data)
	if ce := (*config.Error)(nil); errors.As(err, &ce) && ce.File == "" {
		ce.File = config.FileName
		return config.Config{}, ce
	}
	if err != nil {
		return config.Config{}, &config.Error{File: config.FileName, Err: err}
	}
	return c.WithDefaults(name), nil
}
