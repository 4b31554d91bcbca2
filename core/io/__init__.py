"""Files and services in and out: the importer, the exporter (downloads, backups, restore), the JSON
export, the Sotkanet client and the checks that refuse hostile files before they are read."""
