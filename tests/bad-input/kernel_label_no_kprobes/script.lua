-- the seed story's label probe, on a kernel without kprobes
probe([[kernel.function("__netif_receive_skb_core").label("drop")]],
      { fetch = { protocol = "skb->protocol" } }, print)
