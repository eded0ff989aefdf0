// A codicon (VS Code's icon font, from @vscode/codicons): <Icon name="add" />.
export function Icon({ name, className, title }: { name: string; className?: string; title?: string }) {
  return <span className={`codicon codicon-${name}${className ? ` ${className}` : ''}`} aria-hidden={title ? undefined : true} title={title} />;
}
