package bench

// Busy processes: CPU-bound load beside the measurements, to show how each
// strategy degrades on a loaded machine.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// BusyEnv marks a process started by StartBusy: it must call Spin instead
// of doing its usual work.
const BusyEnv = "DISRUPTOR_BENCH_BUSY"

// IsBusy reports whether this process was started by StartBusy.
func IsBusy() bool {
	_, ok := os.LookupEnv(BusyEnv)
	return ok
}

// Spin is the work of a busy process: it says so on out, then keeps one
// processor busy until in ends (the parent closed it, or exited) or the
// process is killed. It never returns.
func Spin(in io.Reader, out io.Writer) {
	go func() {
		io.Copy(io.Discard, in)
		os.Exit(0)
	}()
	fmt.Fprintln(out, "spinning")
	x := uint64(1)
	for {
		x = x*6364136223846793005 + 1442695040888963407
	}
}

// Busy is a set of running busy processes.
type Busy struct {
	procs []*busyProc
}

type busyProc struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	done chan struct{} // closed once the process is waited for
	err  error         // how it exited, once done
}

// busyStart bounds how long StartBusy waits for a process to start spinning.
const busyStart = 10 * time.Second

// StartBusy starts n busy processes from the command line argv (which must
// make the program call Spin when BusyEnv is set) and returns once each is
// spinning. On Linux each is killed when this process dies; elsewhere each
// exits when its stdin, a pipe from this process, ends. Stop kills them.
func StartBusy(n int, argv []string) (*Busy, error) {
	b := &Busy{}
	for range n {
		if err := b.start(argv); err != nil {
			b.Stop()
			return nil, err
		}
	}
	return b, nil
}

func (b *Busy) start(argv []string) error {
	p := &busyProc{cmd: exec.Command(argv[0], argv[1:]...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), BusyEnv+"=1")
	p.cmd.SysProcAttr = busyAttr()
	p.cmd.WaitDelay = time.Second
	var err error
	if p.in, err = p.cmd.StdinPipe(); err != nil {
		return err
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := p.cmd.Start(); err != nil {
		return fmt.Errorf("busy process: %w", err)
	}
	b.procs = append(b.procs, p)
	started := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		started <- line
		io.Copy(io.Discard, out)
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	select {
	case line := <-started:
		if strings.TrimSpace(line) != "spinning" {
			<-p.done
			return fmt.Errorf("busy process %d did not start spinning: %q, %v", p.cmd.Process.Pid, line, p.err)
		}
	case <-time.After(busyStart):
		return fmt.Errorf("busy process %d did not start spinning within %v", p.cmd.Process.Pid, busyStart)
	}
	return nil
}

// PIDs returns the busy processes' process IDs.
func (b *Busy) PIDs() []int {
	var pids []int
	for _, p := range b.procs {
		pids = append(pids, p.cmd.Process.Pid)
	}
	return pids
}

// Stop kills the busy processes and waits for them to go. It returns an
// error if one had exited before it was killed: the measurements since then
// ran with less load than asked for. Stop may be called more than once.
func (b *Busy) Stop() error {
	if b == nil {
		return nil
	}
	var errs []error
	for _, p := range b.procs {
		select {
		case <-p.done:
			errs = append(errs, fmt.Errorf("busy process %d exited early: %v", p.cmd.Process.Pid, p.err))
		default:
			p.cmd.Process.Kill()
			p.in.Close()
			<-p.done
		}
	}
	b.procs = nil
	return errors.Join(errs...)
}
