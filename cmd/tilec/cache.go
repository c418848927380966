package main

import (
	"fmt"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/tilec/tilec/autotune"
)

func init() { rootCmd.AddCommand(newCacheCmd()) }

func newCacheCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "cache ls|clear",
		Short: "List or clear the tuning cache",
		Long: `The tuning cache keeps each tuned problem's winning config, keyed by the
kernel's IR, tilec's version, the device (name, compute capability,
driver) and the problem. It lives in ` + "`os.UserCacheDir()/tilec/tune`" + `.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := autotune.OpenCache(dir)
			if err != nil {
				return failed("%v", err)
			}
			w := cmd.OutOrStdout()
			switch args[0] {
			case "ls":
				entries, err := c.List()
				if err != nil {
					return failed("%v", err)
				}
				if len(entries) == 0 {
					fmt.Fprintf(w, "the tuning cache (%s) is empty\n", c.Dir)
					return nil
				}
				t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
				t.Header("kernel", "problem", "device", "config", "median", "saved")
				for _, e := range entries {
					if e.Err != "" {
						_ = t.Append(e.File, "unreadable: "+e.Err, "", "", "", "")
						continue
					}
					med := ""
					if e.Median > 0 {
						med = e.Median.String()
					}
					_ = t.Append(e.Key.Kernel, e.Key.Problem, e.Key.Device, e.Config.String(), med, e.Saved.Format("2006-01-02 15:04"))
				}
				_ = t.Render()
				fmt.Fprintf(w, "%d entries in %s\n", len(entries), c.Dir)
			case "clear":
				n, err := c.Clear()
				if err != nil {
					return failed("%v", err)
				}
				fmt.Fprintf(w, "removed %d entries from %s\n", n, c.Dir)
			default:
				return badInput("cache %s: want ls or clear", args[0])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "the cache directory (default: the user cache dir's tilec/tune)")
	return cmd
}
