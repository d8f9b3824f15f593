// Package deploy_test checks what a system administrator installs from (README, Production): the
// static release binary, the container image built from Containerfile, compose.yaml and the systemd
// unit. It is a package of its own so that the release build, a few minutes on a cold cache, has its
// own test timeout.
package deploy_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"debug/elf"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	"github.com/miasta-otwarte/miasta/internal/config"
	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/devidp"
)

const testVersion = "v0.0.0-deploy-test"

// root is the repository's top.
func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// makeTarget runs make in the repository with the given variables.
func makeTarget(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-s", "--no-print-directory"}, args...)...)
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "MAKEFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// settingEnvs are the environment variables of config.Settings.
func settingEnvs() map[string]bool {
	m := map[string]bool{}
	for _, s := range config.Settings {
		m[s.Env] = true
	}
	return m
}

// checkStatic fails unless the ELF file asks for no dynamic loader and no shared library.
func checkStatic(t *testing.T, name string) {
	t.Helper()
	f, err := elf.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s has a %v program header: it is dynamically linked", name, p.Type)
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) != 0 {
		t.Errorf("%s needs shared libraries %v (%v)", name, libs, err)
	}
}

// TestRelease builds the release binary with `make release` and checks it is static, stamped with its
// version and free of the build machine's paths; then, with podman, builds the image with `make
// image` and inspects it: its files, user, entry point, ports and volumes, and that the binary in it
// starts (outside the container: this sandbox cannot run containers).
func TestRelease(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "miasta")
	makeTarget(t, "release", "RELEASE="+bin, "VERSION="+testVersion)
	checkStatic(t, bin)
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "miasta "+testVersion {
		t.Fatalf("miasta version = %q, %v; want the stamped version", out, err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(root(t)+"/internal/")) {
		t.Error("the release binary holds the build machine's source paths (-trimpath missing)")
	}
	// Go's time/tzdata embeds the zone database (TZif files): the Europe/Warsaw deadlines need no
	// /usr/share/zoneinfo, which the image does not have.
	if !bytes.Contains(data, []byte("TZif")) {
		t.Error("the release binary embeds no time-zone data")
	}

	t.Run("image", func(t *testing.T) {
		if _, err := exec.LookPath("podman"); err != nil {
			t.Skip("podman is not installed (make test installs Debian's podman): the image is not built")
		}
		image := "localhost/miasta-test:" + strings.ToLower(rand.Text()[:10])
		makeTarget(t, "image", "RELEASE="+bin, "VERSION="+testVersion, "IMAGE="+image, "IMAGE_CONTEXT="+filepath.Join(dir, "context"))
		t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", image).Run() })
		mnt := checkImage(t, image, bin)
		t.Run("run", func(t *testing.T) { runImageRoot(t, image, mnt) })
	})
}

func podman(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("podman", args...).Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// checkImage inspects the image and returns where its root file system is mounted (until the test
// ends).
func checkImage(t *testing.T, image, releaseBin string) string {
	t.Helper()
	want := map[string]string{
		"{{.Config.User}}":              "65532:65532",
		"{{json .Config.Entrypoint}}":   `["/usr/local/bin/miasta"]`,
		"{{json .Config.Cmd}}":          `["serve"]`,
		"{{json .Config.ExposedPorts}}": `{"8080/tcp":{},"9090/tcp":{}}`,
		"{{json .Config.Volumes}}":      `{"/var/cache/miasta":{},"/var/lib/miasta":{}}`,
	}
	for format, value := range want {
		if got := podman(t, "image", "inspect", "--format", format, image); got != value {
			t.Errorf("image %s = %s; want %s", format, got, value)
		}
	}
	envs := settingEnvs()
	for _, kv := range strings.Split(podman(t, "image", "inspect", "--format", `{{join .Config.Env "\n"}}`, image), "\n") {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case name == "MIASTA_ADDR" && !strings.HasPrefix(value, "0.0.0.0:"):
			t.Errorf("the image serves on %s: not reachable from outside the container", value)
		case strings.HasPrefix(name, "MIASTA_") && !envs[name]:
			t.Errorf("the image sets %s, which is no setting of the server", name)
		}
	}

	// The files: exactly the binary, the CA certificates and the two writable directories.
	mnt := podman(t, "image", "mount", image)
	t.Cleanup(func() { _ = exec.Command("podman", "image", "unmount", image).Run() })
	var files []string
	err := filepath.Walk(mnt, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(mnt, path)
		if fi.Mode().IsRegular() {
			files = append(files, "/"+rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(files, " ") != "/etc/ssl/certs/ca-certificates.crt /usr/local/bin/miasta" {
		t.Errorf("the image's files = %v; want only the CA certificates and the binary", files)
	}
	for _, d := range []string{"var/lib/miasta", "var/cache/miasta"} {
		fi, err := os.Stat(filepath.Join(mnt, d))
		if err != nil {
			t.Errorf("the image has no /%s: %v", d, err)
			continue
		}
		if uid := ownerOf(fi); uid != 65532 || !fi.IsDir() {
			t.Errorf("/%s is owned by %d (directory %v); want a directory of the image's user, 65532", d, uid, fi.IsDir())
		}
	}
	if fi, err := os.Stat(filepath.Join(mnt, "var")); err == nil && ownerOf(fi) != 0 {
		t.Errorf("/var is owned by %d; want root", ownerOf(fi))
	}
	inImage := filepath.Join(mnt, "usr/local/bin/miasta")
	sum := func(name string) [32]byte {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	if sum(inImage) != sum(releaseBin) {
		t.Error("the image's binary is not the release binary")
	}
	certs, err := os.ReadFile(filepath.Join(mnt, "etc/ssl/certs/ca-certificates.crt"))
	if err != nil || bytes.Count(certs, []byte("BEGIN CERTIFICATE")) < 50 {
		t.Errorf("the image's CA certificates: %d certificates (%v); want the build host's bundle", bytes.Count(certs, []byte("BEGIN CERTIFICATE")), err)
	}
	checkStatic(t, inImage)

	// The binary from the image starts, outside the container (podman run is refused here), with an
	// environment of nothing but the image's.
	cmd := exec.Command(inImage, "-h")
	cmd.Env = []string{}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "usage: miasta <command>") {
		t.Fatalf("the image's binary -h: %v\n%s", err, out)
	}
	cmd = exec.Command(inImage, "serve", "-h")
	cmd.Env = []string{}
	out, _ = cmd.CombinedOutput() // -h ends with status 1, like any flag.ErrHelp
	if !strings.Contains(string(out), "MIASTA_TLS_CERT_FILE") || !strings.Contains(string(out), "MIASTA_TRUSTED_PROXIES") {
		t.Errorf("the image's binary serve -h does not list the settings:\n%s", out)
	}
	return mnt
}

// runImageRoot runs the image as a container runtime would, as far as this sandbox allows without
// one: bubblewrap makes the image's root file system the root, read-only, binds two empty
// directories as its volumes, and runs its entry point and command as its user with its environment
// and nothing else but the deployment's settings (a new database, an OpenID provider, the key as a
// variable, an address on 127.0.0.1). It shares the host's network, so it reaches the test's
// PostgreSQL and provider. The server must migrate the empty database, become ready and answer,
// having written only to its volumes, and stop cleanly on SIGTERM.
func runImageRoot(t *testing.T, image, mnt string) {
	if _, err := exec.LookPath("bwrap"); err != nil {
		t.Skip("bubblewrap is not installed (make test installs Debian's bubblewrap): the image's root file system is not run")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	idpLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + idpLn.Addr().String()
	idp, err := devidp.New(devidp.Config{Issuer: issuer, Logger: slog.New(slog.DiscardHandler),
		Clients: []devidp.Client{{ID: "miasta", Secret: "s", RedirectURIs: []string{"http://" + addr + "/auth/callback"}}}})
	if err != nil {
		t.Fatal(err)
	}
	idpSrv := &http.Server{Handler: idp.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = idpSrv.Serve(idpLn) }()
	t.Cleanup(func() { _ = idpSrv.Close() })
	key, err := auditlog.NewKey()
	if err != nil {
		t.Fatal(err)
	}

	// The entry point is process 1 of its own process namespace, as in a container; --info-fd 3
	// tells its process id, to stop it as a runtime would (SIGTERM to it). The image's top
	// directories are bound read-only on an empty root that a runtime would have made /proc and /dev
	// in (the image has neither), which is then made read-only too.
	args := []string{"--unshare-user", "--unshare-pid", "--as-pid-1", "--die-with-parent", "--clearenv", "--info-fd", "3"}
	top, err := os.ReadDir(mnt)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range top {
		args = append(args, "--ro-bind", filepath.Join(mnt, e.Name()), "/"+e.Name())
	}
	args = append(args, "--proc", "/proc", "--dev", "/dev")
	var user string
	if err := json.Unmarshal([]byte(podman(t, "image", "inspect", "--format", "{{json .Config.User}}", image)), &user); err != nil {
		t.Fatal(err)
	}
	uid, gid, _ := strings.Cut(user, ":")
	args = append(args, "--uid", uid, "--gid", gid)
	var volumes map[string]any
	if err := json.Unmarshal([]byte(podman(t, "image", "inspect", "--format", "{{json .Config.Volumes}}", image)), &volumes); err != nil {
		t.Fatal(err)
	}
	bound := map[string]string{}
	for v := range volumes {
		bound[v] = t.TempDir()
		args = append(args, "--bind", bound[v], v)
	}
	var imageEnv, entry, cmd []string
	for format, to := range map[string]*[]string{"{{json .Config.Env}}": &imageEnv, "{{json .Config.Entrypoint}}": &entry, "{{json .Config.Cmd}}": &cmd} {
		if err := json.Unmarshal([]byte(podman(t, "image", "inspect", "--format", format, image)), to); err != nil {
			t.Fatal(err)
		}
	}
	deployment := []string{
		"DATABASE_URL=" + dbtest.NewEmptyURL(t), "MIASTA_MIGRATE=true", "MIASTA_ADDR=" + addr, "MIASTA_METRICS_ADDR=",
		"OIDC_ISSUER=" + issuer, "OIDC_CLIENT_ID=miasta", "MIASTA_AUDIT_KEY=" + strings.TrimSpace(string(key.File())),
	}
	for _, kv := range append(imageEnv, deployment...) {
		name, value, _ := strings.Cut(kv, "=")
		args = append(args, "--setenv", name, value)
	}
	args = append(append(append(args, "--remount-ro", "/"), entry...), cmd...)
	var logs strings.Builder
	server := exec.Command("bwrap", args...)
	server.Stdout, server.Stderr = &logs, &logs
	infoR, infoW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	server.ExtraFiles = []*os.File{infoW}
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	infoW.Close()
	var info struct {
		ChildPID int `json:"child-pid"`
	}
	if err := json.NewDecoder(infoR).Decode(&info); err != nil || info.ChildPID == 0 {
		t.Fatalf("bwrap's --info-fd: %v (%+v)\n%s", err, info, logs.String())
	}
	infoR.Close()
	exited := make(chan error, 1)
	go func() { exited <- server.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = server.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			stopped = true
			t.Fatalf("the image's server exited: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the image's server was not ready within 60 s:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	resp, err := http.Post("http://"+addr+"/miasta.v1.EditionService/ListEditions", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("ListEditions from the image's server: %s", resp.Status)
	}
	// What it wrote: the attachments directory in its volume (made at start), nothing else anywhere
	// (the root is read-only: a write there would have failed the start).
	if fi, err := os.Stat(filepath.Join(bound["/var/lib/miasta"], "attachments")); err != nil || !fi.IsDir() {
		t.Errorf("the image's server made no attachments directory in its volume: %v", err)
	}
	if err := syscall.Kill(info.ChildPID, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("the image's server stopped with %v:\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("the image's server did not stop within 30 s of SIGTERM")
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("the image's server logged errors:\n%s", logs.String())
	}
}

// TestComposeFile reads compose.yaml as compose does: PostgreSQL and the server, the server in the
// image's user with a read-only root and writable volumes only where the image has them, and no
// setting the server does not have.
func TestComposeFile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(root(t), "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			User        string            `yaml:"user"`
			ReadOnly    bool              `yaml:"read_only"`
			CapDrop     []string          `yaml:"cap_drop"`
			Environment map[string]string `yaml:"environment"`
			EnvFile     []string          `yaml:"env_file"`
			Volumes     []string          `yaml:"volumes"`
			DependsOn   map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Healthcheck map[string]any `yaml:"healthcheck"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	pg, app := f.Services["postgres"], f.Services["miasta"]
	if !strings.Contains(pg.Image, "postgres:15") || pg.Healthcheck == nil {
		t.Errorf("compose.yaml's postgres service = %+v; want PostgreSQL 15 with a health check", pg)
	}
	if app.DependsOn["postgres"].Condition != "service_healthy" {
		t.Error("the miasta service does not wait for PostgreSQL to be healthy")
	}
	if app.User != "65532:65532" || !app.ReadOnly || len(app.CapDrop) != 1 || app.CapDrop[0] != "ALL" {
		t.Errorf("the miasta service runs as %q, read-only %v, dropping %v; want the image's user, a read-only root and no capabilities", app.User, app.ReadOnly, app.CapDrop)
	}
	mounted := map[string]bool{}
	for _, v := range app.Volumes {
		name, target, _ := strings.Cut(v, ":")
		mounted[target] = true
		if _, ok := f.Volumes[name]; !ok {
			t.Errorf("volume %s is not declared", name)
		}
	}
	if !mounted["/var/lib/miasta"] || !mounted["/var/cache/miasta"] {
		t.Errorf("the miasta service mounts %v; want volumes on the image's /var/lib/miasta and /var/cache/miasta", app.Volumes)
	}
	envs := settingEnvs()
	for name := range app.Environment {
		if !envs[name] {
			t.Errorf("compose.yaml sets %s, which is no setting of the server", name)
		}
	}
	for _, must := range []string{"DATABASE_URL", "MIASTA_ADDR", "MIASTA_MIGRATE", "MIASTA_ATTACHMENTS_URL", "MIASTA_BUNDLE_DIR", "MIASTA_TRUSTED_PROXIES"} {
		if app.Environment[must] == "" {
			t.Errorf("compose.yaml does not set %s", must)
		}
	}
	if len(app.EnvFile) != 1 || app.EnvFile[0] != "miasta.env" {
		t.Errorf("the miasta service's env_file = %v; want miasta.env, as README says", app.EnvFile)
	}
}

// TestSystemdUnit verifies deploy/miasta.service with systemd-analyze (every key known and its value
// valid; the binary path pointed at a built one, since verify checks it exists), scores its sandbox
// offline, and checks its settings are the server's.
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	unit, err := os.ReadFile(filepath.Join(root(t), "deploy", "miasta.service"))
	if err != nil {
		t.Fatal(err)
	}
	envs := settingEnvs()
	keys := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(unit))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("deploy/miasta.service: %q is no key=value line", line)
		}
		keys[k] = v
		if k == "Environment" {
			name, _, _ := strings.Cut(v, "=")
			if name != "HOME" && !envs[name] {
				t.Errorf("the unit sets %s, which is no setting of the server", name)
			}
		}
	}
	for k, v := range map[string]string{"ProtectSystem": "strict", "NoNewPrivileges": "yes", "PrivateTmp": "yes", "CapabilityBoundingSet": "", "User": "miasta", "ExecStart": "/usr/local/bin/miasta serve"} {
		if got, ok := keys[k]; !ok || got != v {
			t.Errorf("the unit's %s = %q; want %q", k, got, v)
		}
	}
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Log("systemd-analyze is not installed: the unit was only parsed")
		return
	}
	bin, err := os.Executable() // any executable file: verify only checks that ExecStart's exists
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "miasta.service")
	if err := os.WriteFile(name, bytes.ReplaceAll(unit, []byte("/usr/local/bin/miasta"), []byte(bin)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("systemd-analyze", "verify", name).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err = exec.Command("systemd-analyze", "security", "--offline=true", "--no-pager", name).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security --offline: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for miasta\.service: ([0-9.]+) (\w+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("systemd-analyze security printed no exposure level:\n%s", out)
	}
	if level, _ := strconv.ParseFloat(string(m[1]), 64); level > 2.0 {
		t.Errorf("the unit's exposure level is %s (%s); want at most 2.0", m[1], m[2])
	}
}

// ownerOf is the file's owner's uid.
func ownerOf(fi os.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return 1<<32 - 1
}

// readmeBlock returns the first ```lang block of README.
func readmeBlock(t *testing.T, lang string) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(root(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatalf("README has no %s block", lang)
	}
	return string(m[1])
}

// TestReadmeProxyExamples checks README's nginx and Caddy configurations with the programs
// themselves (nginx -t, caddy validate), where they are installed: nginx with a certificate made for
// the test in place of certbot's.
func TestReadmeProxyExamples(t *testing.T) {
	t.Parallel()
	t.Run("nginx", func(t *testing.T) {
		t.Parallel()
		site := readmeBlock(t, "nginx")
		if _, err := exec.LookPath("nginx"); err != nil {
			t.Skip("nginx is not installed: README's nginx example is not checked")
		}
		dir := t.TempDir()
		key, cert := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
		if out, err := exec.Command("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
			"-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=miasta.example.org").CombinedOutput(); err != nil {
			t.Fatalf("openssl: %v\n%s", err, out)
		}
		site = strings.NewReplacer("/etc/letsencrypt/live/miasta.example.org/fullchain.pem", cert,
			"/etc/letsencrypt/live/miasta.example.org/privkey.pem", key).Replace(site)
		if err := os.WriteFile(filepath.Join(dir, "site.conf"), []byte(site), 0o644); err != nil {
			t.Fatal(err)
		}
		main := "pid " + dir + "/nginx.pid;\nerror_log " + dir + "/error.log;\nevents {}\nhttp {\n    include " + dir + "/site.conf;\n}\n"
		if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("nginx", "-t", "-q", "-e", dir+"/error.log", "-p", dir, "-c", dir+"/nginx.conf").CombinedOutput(); err != nil {
			t.Fatalf("nginx -t of README's example: %v\n%s", err, out)
		}
	})
	t.Run("caddy", func(t *testing.T) {
		t.Parallel()
		caddyfile := readmeBlock(t, "caddyfile")
		if _, err := exec.LookPath("caddy"); err != nil {
			t.Skip("caddy is not installed: README's Caddy example is not checked")
		}
		dir := t.TempDir()
		name := filepath.Join(dir, "Caddyfile")
		if err := os.WriteFile(name, []byte(caddyfile), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("caddy", "validate", "--config", name, "--adapter", "caddyfile")
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Valid configuration") {
			t.Fatalf("caddy validate of README's example: %v\n%s", err, out)
		}
	})
}
