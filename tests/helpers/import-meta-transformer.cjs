/**
 * ts-jest AST transformer: jest runs the sources as CommonJS, where `import.meta` is a syntax
 * error, while Node runs them as ES modules. Source files that locate a file next to themselves
 * (the SQLite writer's worker script) use `import.meta.dirname`; under jest that becomes the
 * module's `__dirname` (and `import.meta.filename` its `__filename`), which name the same place.
 */
module.exports = {
  name: 'cardlane-import-meta',
  version: '1',
  factory({ configSet }) {
    const ts = configSet.compilerModule;
    const replacements = { dirname: '__dirname', filename: '__filename' };
    return (context) => (sourceFile) => {
      const visit = (node) => {
        if (ts.isPropertyAccessExpression(node) && ts.isMetaProperty(node.expression)
          && node.expression.keywordToken === ts.SyntaxKind.ImportKeyword && node.name.text in replacements) {
          return ts.factory.createIdentifier(replacements[node.name.text]);
        }
        return ts.visitEachChild(node, visit, context);
      };
      return ts.visitNode(sourceFile, visit);
    };
  },
};
